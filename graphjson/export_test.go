package graphjson

// KnownNameCapacity exposes how many model names the parser can share.
const KnownNameCapacity = maxKnownNames
