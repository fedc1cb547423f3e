package compiler

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
)

// Algorithms are IKEv2 settings that Apple's schema has and Graph's model
// cannot express yet. The zero value writes none of them.
type Algorithms struct {
	// StrictSelection writes IKEv2.EnforceStrictAlgorithmSelection = 1
	// (iOS 18.5): the device then refuses DES, 3DES and Diffie-Hellman
	// groups below 14, and an IKE SA cipher weaker than the child SA
	// cipher. The compiler refuses an export that would trip it.
	StrictSelection bool
	// PostQuantum are the additional key exchanges of RFC 9370 (ADDKE1,
	// ADDKE2, ... in this order, at most seven), written as
	// PostQuantumKeyExchangeMethods into both security-association
	// dictionaries (iOS 26.0). They are performed one after the other,
	// each on top of the Diffie-Hellman exchange: they are not
	// alternatives to choose from.
	PostQuantum []KeyExchange
	// PostQuantumFallback writes IKEv2.AllowPostQuantumKeyExchangeFallback
	// = 1 (iOS 26.0): the device may connect without the post-quantum
	// exchanges when the server does not offer them. It needs PostQuantum.
	PostQuantumFallback bool
}

// IsZero reports whether no setting is asked for.
func (a Algorithms) IsZero() bool {
	return !a.StrictSelection && len(a.PostQuantum) == 0 && !a.PostQuantumFallback
}

// KeyExchange is an IKEv2 key exchange method by its IANA transform ID (the
// "Transform Type 4 - Key Exchange Method" registry), as Apple's
// PostQuantumKeyExchangeMethods lists it.
type KeyExchange int

// The post-quantum key exchange methods Apple's schema allows.
const (
	// KeyExchangeNone (0) leaves an additional key exchange out.
	KeyExchangeNone KeyExchange = 0
	// MLKEM768 is ML-KEM-768 (FIPS 203), transform ID 36.
	MLKEM768 KeyExchange = 36
	// MLKEM1024 is ML-KEM-1024 (FIPS 203), transform ID 37.
	MLKEM1024 KeyExchange = 37
)

// MaxPostQuantum is the number of additional key exchanges Apple accepts:
// ADDKE1 to ADDKE7 of RFC 9370.
const MaxPostQuantum = 7

var keyExchangeNames = map[KeyExchange]string{KeyExchangeNone: "none", MLKEM768: "mlkem768", MLKEM1024: "mlkem1024"}

// String returns the method's name as ParseKeyExchanges and strongSwan's
// proposals spell it ("mlkem768"), or "method N" for an unknown ID.
func (k KeyExchange) String() string {
	if s, ok := keyExchangeNames[k]; ok {
		return s
	}
	return fmt.Sprintf("method %d", int(k))
}

// ParseKeyExchanges reads a comma-separated list such as
// "mlkem768,mlkem1024": the additional key exchanges in the order they are
// performed. It refuses unknown names, repeats and more than seven entries.
func ParseKeyExchanges(s string) ([]KeyExchange, error) {
	var out []KeyExchange
	for _, part := range strings.Split(s, ",") {
		name := strings.ToLower(strings.TrimSpace(part))
		var k KeyExchange
		switch name {
		case "mlkem768", "ml-kem-768":
			k = MLKEM768
		case "mlkem1024", "ml-kem-1024":
			k = MLKEM1024
		case "":
			return nil, fmt.Errorf("%q: an empty entry; give methods such as mlkem768,mlkem1024", s)
		default:
			return nil, fmt.Errorf("%q: unknown key exchange %q; Apple offers mlkem768 (ML-KEM-768) and mlkem1024 (ML-KEM-1024)", s, part)
		}
		if slices.Contains(out, k) {
			return nil, fmt.Errorf("%q: %s is listed twice; each entry is one more key exchange performed after the previous ones (ADDKE1, ADDKE2, ... of RFC 9370), so a repeat adds time and no protection", s, k)
		}
		out = append(out, k)
	}
	if len(out) > MaxPostQuantum {
		return nil, fmt.Errorf("%q: %d key exchanges; Apple accepts at most %d (ADDKE1 to ADDKE7 of RFC 9370)", s, len(out), MaxPostQuantum)
	}
	return out, nil
}

// Minimum iOS versions of the settings beyond Graph, from Apple's schema.
const (
	strictSelectionKey = "EnforceStrictAlgorithmSelection"
	pqFallbackKey      = "AllowPostQuantumKeyExchangeFallback"
	pqMethodsKey       = "PostQuantumKeyExchangeMethods"
)

// SA is a security association as a device proposes it: the profile's
// values, and Apple's defaults for the members it leaves out.
type SA struct {
	// Encryption is Apple's EncryptionAlgorithm, such as "AES-256-GCM".
	Encryption string
	// Integrity is Apple's IntegrityAlgorithm, such as "SHA2-256".
	Integrity string
	// DHGroup is the Diffie-Hellman group.
	DHGroup int
	// LifetimeMinutes is the rekey interval.
	LifetimeMinutes int
	// PostQuantum are the additional key exchanges, in order (ADDKE1...).
	PostQuantum []KeyExchange
	// Defaulted names the members the profile leaves to Apple's defaults.
	Defaulted []string
}

// IKEv2Algorithms are the algorithm settings of one IKEv2 dictionary.
type IKEv2Algorithms struct {
	// Path locates the IKEv2 dictionary in the profile, as lint paths do
	// ("PayloadContent[0].IKEv2").
	Path string
	// IKE is the IKE SA; Child the child (IPsec) SA.
	IKE, Child SA
	// ChildFromIKE reports that the profile has no
	// ChildSecurityAssociationParameters, so the child SA uses the IKE
	// SA's values, as Apple's schema says.
	ChildFromIKE bool
	// StrictSelection is EnforceStrictAlgorithmSelection.
	StrictSelection bool
	// PostQuantumFallback is AllowPostQuantumKeyExchangeFallback.
	PostQuantumFallback bool
}

const (
	ikeSAKey   = "IKESecurityAssociationParameters"
	childSAKey = "ChildSecurityAssociationParameters"
)

// AlgorithmsOf reads the algorithm settings of an IKEv2 dictionary (the
// IKEv2 dictionary of a VPN payload, or an Always On tunnel configuration)
// as a property list decoder gives it.
func AlgorithmsOf(ikev2 map[string]any) IKEv2Algorithms {
	a := IKEv2Algorithms{
		StrictSelection:     isTrue(ikev2[strictSelectionKey]),
		PostQuantumFallback: isTrue(ikev2[pqFallbackKey]),
	}
	ike, _ := ikev2[ikeSAKey].(map[string]any)
	a.IKE = saOf(ike)
	child, ok := ikev2[childSAKey].(map[string]any)
	if ok {
		a.Child = saOf(child)
	} else {
		a.ChildFromIKE = true
		a.Child = a.IKE
		a.Child.PostQuantum = slices.Clone(a.IKE.PostQuantum)
		a.Child.Defaulted = slices.Clone(a.IKE.Defaulted)
	}
	return a
}

// ProfileAlgorithms returns the algorithm settings of every IKEv2 dictionary
// of a decoded profile: the IKEv2 dictionary of each IKEv2 VPN payload and
// each IKEv2 tunnel of an Always On payload. A server configuration that
// must accept what the devices propose starts here.
func ProfileAlgorithms(profile map[string]any) []IKEv2Algorithms {
	var out []IKEv2Algorithms
	content, _ := profile["PayloadContent"].([]any)
	for i, el := range content {
		p, _ := el.(map[string]any)
		if pt, _ := p["PayloadType"].(string); pt != vpnPayloadType {
			continue
		}
		path := fmt.Sprintf("PayloadContent[%d]", i)
		if ike, ok := p["IKEv2"].(map[string]any); ok && p["VPNType"] == "IKEv2" {
			a := AlgorithmsOf(ike)
			a.Path = path + ".IKEv2"
			out = append(out, a)
		}
		ao, _ := p["AlwaysOn"].(map[string]any)
		tunnels, _ := ao["TunnelConfigurations"].([]any)
		for j, tc := range tunnels {
			if m, ok := tc.(map[string]any); ok && m["ProtocolType"] == "IKEv2" {
				a := AlgorithmsOf(m)
				a.Path = fmt.Sprintf("%s.AlwaysOn.TunnelConfigurations[%d]", path, j)
				out = append(out, a)
			}
		}
	}
	return out
}

// saDefault returns Apple's default for a member of a security-association
// dictionary, from the schema.
func saDefault(member string) any {
	d, ok := saDefaults()[member]
	if !ok {
		panic("compiler: Apple's schema lost IKEv2." + ikeSAKey + "." + member)
	}
	return d
}

// saDefaults are Apple's defaults of the security-association members, read
// from the schema once (a lookup copies the whole payload).
var saDefaults = sync.OnceValue(func() map[string]any {
	k, _, ok := appleschema.Find(vpnPayloadType, "IKEv2."+ikeSAKey)
	if !ok {
		panic("compiler: Apple's schema lost IKEv2." + ikeSAKey)
	}
	out := map[string]any{}
	for _, sk := range k.Subkeys {
		out[sk.Name] = sk.Default
	}
	return out
})

func saOf(d map[string]any) SA {
	var sa SA
	str := func(member string) string {
		if s, ok := d[member].(string); ok {
			return s
		}
		sa.Defaulted = append(sa.Defaulted, member)
		s, _ := saDefault(member).(string)
		return s
	}
	num := func(member string) int {
		if n, ok := number(d[member]); ok {
			return int(n)
		}
		sa.Defaulted = append(sa.Defaulted, member)
		n, _ := number(saDefault(member))
		return int(n)
	}
	sa.Encryption = str("EncryptionAlgorithm")
	sa.Integrity = str("IntegrityAlgorithm")
	sa.DHGroup = num("DiffieHellmanGroup")
	sa.LifetimeMinutes = num("LifeTimeInMinutes")
	for _, v := range asList(d[pqMethodsKey]) {
		if n, ok := number(v); ok {
			sa.PostQuantum = append(sa.PostQuantum, KeyExchange(n))
		}
	}
	return sa
}

// cipherStrength ranks Apple's encryption algorithms by security strength
// in bits (NIST SP 800-57): DES 56, 3DES 112, AES-128 128, the 256-bit
// ciphers 256. Apple does not publish the order it applies for
// EnforceStrictAlgorithmSelection; this is our reading. Unknown names rank 0.
func cipherStrength(alg string) int {
	switch alg {
	case "DES":
		return 56
	case "3DES":
		return 112
	case "AES-128", "AES-128-GCM":
		return 128
	case "AES-256", "AES-256-GCM", "ChaCha20Poly1305":
		return 256
	}
	return 0
}

// StrictViolation is one thing EnforceStrictAlgorithmSelection makes a
// device refuse.
type StrictViolation struct {
	// Key is the Apple key at fault, relative to the IKEv2 dictionary
	// ("IKESecurityAssociationParameters.EncryptionAlgorithm").
	Key string
	// Message says what is refused and why.
	Message string
}

// StrictViolations lists what a device that enforces strict algorithm
// selection refuses in these settings, whether or not StrictSelection is
// set: DES or 3DES, a Diffie-Hellman group below 14, and an IKE SA cipher
// weaker than the child SA cipher (Apple's schema,
// EnforceStrictAlgorithmSelection).
func (a IKEv2Algorithms) StrictViolations() []StrictViolation {
	var out []StrictViolation
	check := func(saKey string, sa SA) {
		if sa.Encryption == "DES" || sa.Encryption == "3DES" {
			out = append(out, StrictViolation{saKey + ".EncryptionAlgorithm", fmt.Sprintf("%s is refused under strict algorithm selection", sa.Encryption)})
		}
		if sa.DHGroup < 14 {
			out = append(out, StrictViolation{saKey + ".DiffieHellmanGroup", fmt.Sprintf("Diffie-Hellman group %d is refused under strict algorithm selection (groups below 14)", sa.DHGroup)})
		}
	}
	check(ikeSAKey, a.IKE)
	if !a.ChildFromIKE {
		check(childSAKey, a.Child)
	}
	if ike, child := cipherStrength(a.IKE.Encryption), cipherStrength(a.Child.Encryption); ike < child {
		out = append(out, StrictViolation{ikeSAKey + ".EncryptionAlgorithm", fmt.Sprintf(
			"the IKE SA cipher %s is weaker than the child SA cipher %s, which strict algorithm selection refuses (the IKE SA protects the child SA's keys)",
			a.IKE.Encryption, a.Child.Encryption)})
	}
	return out
}

func isTrue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	default:
		n, ok := number(v)
		return ok && n != 0
	}
}
