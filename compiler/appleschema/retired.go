package appleschema

// RetiredKey is a key that an earlier copy of Apple's schema defined and the
// current copy no longer does. Apple dropping a key from its YAML does not
// mean devices refuse it, so lint names such a key for what it is instead of
// calling it unknown.
type RetiredKey struct {
	// Payload is the payload type ("TopLevel" for the outer dictionary).
	Payload string
	// Path is the key's path in the payload, in Resolve's syntax.
	Path string
	// Type is the plist type the earlier copy gave it.
	Type Type
	// LastListed names the last copy of the schema that listed it.
	LastListed string
	// Replacement says what the current schema has instead, if anything.
	Replacement string
}

var retiredKeys = []RetiredKey{
	{Payload: "TopLevel", Path: "IsEncrypted", Type: Boolean, LastListed: "iOS 18.1 (b6202ca)",
		Replacement: "EncryptedPayloadContent, whose presence marks an encrypted profile"},
	{Payload: "TopLevel", Path: "HasRemovalPasscode", Type: Boolean, LastListed: "iOS 18.1 (b6202ca)"},
	{Payload: "com.apple.vpn.managed", Path: "VPN.Password", Type: String, LastListed: "iOS 18.1 (b6202ca)",
		Replacement: "VPN.AuthPassword"},
}

// RetiredKeys returns every retired key.
func RetiredKeys() []RetiredKey { return append([]RetiredKey(nil), retiredKeys...) }

// Retired returns the retired key at path in the payload, if there is one.
func Retired(payloadType, path string) (RetiredKey, bool) {
	for _, k := range retiredKeys {
		if k.Payload == payloadType && k.Path == path {
			return k, true
		}
	}
	return RetiredKey{}, false
}
