package graphjson

// KnownNameCapacity exposes the size of the parser's bit set to tests.
const KnownNameCapacity = knownWords * 64
