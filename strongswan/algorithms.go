package strongswan

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
)

// Algorithm names: Apple's values of the SecurityAssociationParameters keys,
// and the strongSwan proposal keyword each one becomes. These tables are the
// single source of the conversion, and docs/STRONGSWAN.md prints them.

// encryptionKeywords maps EncryptionAlgorithm to strongSwan's keyword. The
// AEAD ciphers (GCM with a 16-byte ICV, which is what IKEv2 clients use, and
// ChaCha20-Poly1305) carry their own integrity.
var encryptionKeywords = []keyword{
	{"DES", "des"},
	{"3DES", "3des"},
	{"AES-128", "aes128"},
	{"AES-256", "aes256"},
	{"AES-128-GCM", "aes128gcm16"},
	{"AES-256-GCM", "aes256gcm16"},
	{"ChaCha20Poly1305", "chacha20poly1305"},
}

// integrityKeywords maps IntegrityAlgorithm to strongSwan's integrity
// keyword.
var integrityKeywords = []keyword{
	{"SHA1-96", "sha1"},
	{"SHA1-160", "sha1_160"},
	{"SHA2-256", "sha256"},
	{"SHA2-384", "sha384"},
	{"SHA2-512", "sha512"},
}

// prfKeywords maps IntegrityAlgorithm to the pseudo-random function of the
// IKE SA: iOS pairs each integrity algorithm with the PRF of the same hash
// (see the iOS proposals below), and uses it as the PRF of AEAD proposals.
var prfKeywords = []keyword{
	{"SHA1-96", "prfsha1"},
	{"SHA1-160", "prfsha1"},
	{"SHA2-256", "prfsha256"},
	{"SHA2-384", "prfsha384"},
	{"SHA2-512", "prfsha512"},
}

// dhKeywords maps DiffieHellmanGroup (the IANA number) to strongSwan's key
// exchange keyword.
var dhKeywords = []keyword{
	{"1", "modp768"},
	{"2", "modp1024"},
	{"5", "modp1536"},
	{"14", "modp2048"},
	{"15", "modp3072"},
	{"16", "modp4096"},
	{"17", "modp6144"},
	{"18", "modp8192"},
	{"19", "ecp256"},
	{"20", "ecp384"},
	{"21", "ecp521"},
	{"31", "curve25519"},
	{"32", "curve448"},
}

// postQuantumKeywords maps the PostQuantumKeyExchangeMethods values of
// iOS 26 (IANA key exchange method numbers, used as RFC 9370 additional key
// exchanges) to strongSwan 6 keywords. strongSwan 5.9 has no ML-KEM.
var postQuantumKeywords = []keyword{
	{"36", "mlkem768"},
	{"37", "mlkem1024"},
}

// keyword pairs an Apple value with a strongSwan keyword.
type keyword struct{ apple, strongswan string }

func lookup(table []keyword, apple string) (string, bool) {
	for _, k := range table {
		if k.apple == apple {
			return k.strongswan, true
		}
	}
	return "", false
}

func appleValues(table []keyword) []string {
	out := make([]string, len(table))
	for i, k := range table {
		out[i] = k.apple
	}
	return out
}

// Apple's per-key defaults for SecurityAssociationParameters, from its schema
// (com.apple.vpn.managed.yaml, both the iOS 18.1 and the iOS 26 copies).
const (
	appleDefaultEncryption = "AES-256"
	appleDefaultIntegrity  = "SHA2-256"
	appleDefaultDHGroup    = 14
	appleDefaultLifetime   = 1440 * time.Minute
)

// SAParams are the SecurityAssociationParameters of a profile, in Apple's
// terms, with Apple's per-key defaults filled in for keys the dictionary
// leaves out.
type SAParams struct {
	EncryptionAlgorithm string
	IntegrityAlgorithm  string
	DiffieHellmanGroup  int
	Lifetime            time.Duration
	// PostQuantum are the additional key exchanges (iOS 26), IANA numbers.
	PostQuantum []int
}

// isAEAD reports whether the encryption algorithm authenticates by itself.
func isAEAD(encryption string) bool {
	return strings.HasSuffix(encryption, "-GCM") || encryption == "ChaCha20Poly1305"
}

// Proposal is one IKE or ESP proposal as strongSwan keywords. Integrity is
// empty for AEAD ciphers; DH is empty for an ESP proposal without PFS.
type Proposal struct {
	Encryption, Integrity, PRF, DH string
	// PostQuantum are strongSwan 6 additional key exchange keywords.
	PostQuantum []string
}

// IKE formats p as an IKE proposal: "aes256-sha256-prfsha256-modp2048".
func (p Proposal) IKE() string {
	return p.join(true)
}

// ESP formats p as an ESP proposal: "aes256-sha256", with the DH group when
// set (PFS).
func (p Proposal) ESP() string {
	return p.join(false)
}

func (p Proposal) join(ike bool) string {
	parts := []string{p.Encryption}
	if p.Integrity != "" {
		parts = append(parts, p.Integrity)
	}
	if ike && p.PRF != "" {
		parts = append(parts, p.PRF)
	}
	if p.DH != "" {
		parts = append(parts, p.DH)
	}
	for i, k := range p.PostQuantum {
		parts = append(parts, fmt.Sprintf("ke%d_%s", i+1, k))
	}
	return strings.Join(parts, "-")
}

// weak reports whether p uses an algorithm Apple removed in iOS 26 (DES,
// 3DES, SHA-1, DH groups below 14), the same set EnforceStrictAlgorithmSelection
// refuses.
func (p Proposal) weak() bool {
	switch p.Encryption {
	case "des", "3des":
		return true
	}
	switch p.Integrity {
	case "sha1", "sha1_160":
		return true
	}
	switch p.DH {
	case "modp768", "modp1024", "modp1536":
		return true
	}
	return false
}

// proposalFromParams converts SA parameters to a proposal. withDH adds the
// DH group (always for IKE; for ESP only with EnablePFS).
func proposalFromParams(sa SAParams, withDH bool) (Proposal, error) {
	var p Proposal
	var ok bool
	if p.Encryption, ok = lookup(encryptionKeywords, sa.EncryptionAlgorithm); !ok {
		return p, fmt.Errorf("EncryptionAlgorithm %q is not one of Apple's values (%s)", sa.EncryptionAlgorithm, strings.Join(appleValues(encryptionKeywords), ", "))
	}
	if p.PRF, ok = lookup(prfKeywords, sa.IntegrityAlgorithm); !ok {
		return p, fmt.Errorf("IntegrityAlgorithm %q is not one of Apple's values (%s)", sa.IntegrityAlgorithm, strings.Join(appleValues(integrityKeywords), ", "))
	}
	if !isAEAD(sa.EncryptionAlgorithm) {
		p.Integrity, _ = lookup(integrityKeywords, sa.IntegrityAlgorithm)
	}
	if withDH {
		if p.DH, ok = lookup(dhKeywords, fmt.Sprint(sa.DiffieHellmanGroup)); !ok {
			return p, fmt.Errorf("DiffieHellmanGroup %d is not one of Apple's groups (%s)", sa.DiffieHellmanGroup, strings.Join(appleValues(dhKeywords), ", "))
		}
		for _, n := range sa.PostQuantum {
			if n == 0 {
				continue // 0 is "none" in Apple's range list
			}
			k, ok := lookup(postQuantumKeywords, fmt.Sprint(n))
			if !ok {
				return p, fmt.Errorf("PostQuantumKeyExchangeMethods value %d is not one of Apple's values (0, 36, 37)", n)
			}
			p.PostQuantum = append(p.PostQuantum, k)
		}
	}
	return p, nil
}

// DefaultProposals are the proposals an iOS version sends when a profile
// has no SecurityAssociationParameters.
type DefaultProposals struct {
	// From is the first iOS version the row applies to; a row applies up to
	// the next row's From.
	From string
	// IKE and ESP are the proposals in the order the device sends them
	// (ESP without DH: the device adds the IKE SA's group when it rekeys
	// with PFS).
	IKE, ESP []Proposal
	// Source says where the list comes from.
	Source string
	// VersusApple says where the list differs from Apple's per-key defaults.
	VersusApple string
}

// Version of the table below; bump it when a row changes, so that reports
// and docs/STRONGSWAN.md say which table they used.
const DefaultProposalsVersion = "2026-11 (1)"

// iosDefaultProposals is the one table of iOS default proposals, keyed by
// the target iOS version. Two sources feed it:
//
//   - Apple's schema (com.apple.vpn.managed.yaml) gives only per-key
//     defaults: EncryptionAlgorithm AES-256, IntegrityAlgorithm SHA2-256,
//     DiffieHellmanGroup 14, LifeTimeInMinutes 1440. Its iOS 26 copy adds
//     that DES and 3DES, SHA1-96 and SHA1-160, and DH groups 1, 2 and 5 are
//     available only before iOS 26.
//   - strongSwan's "iOS and macOS" interoperability page
//     (docs.strongswan.org/docs/latest/interop/ios.html) lists the proposals
//     it saw from iOS 16.5: IKE AES_CBC_256/HMAC_SHA2_256_128/
//     PRF_HMAC_SHA2_256 with MODP_2048, ECP_256 and MODP_1536, then
//     AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024 and
//     3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024; ESP
//     AES_CBC_256/HMAC_SHA2_256_128 (three times, one per IKE proposal),
//     AES_CBC_128/HMAC_SHA1_96 and 3DES_CBC/HMAC_SHA1_96. It also warns that
//     MODP_1536 "might not work due to an unfixed bug".
var iosDefaultProposals = []DefaultProposals{
	{
		From: "9.0",
		IKE: []Proposal{
			{Encryption: "aes256", Integrity: "sha256", PRF: "prfsha256", DH: "modp2048"},
			{Encryption: "aes256", Integrity: "sha256", PRF: "prfsha256", DH: "ecp256"},
			{Encryption: "aes256", Integrity: "sha256", PRF: "prfsha256", DH: "modp1536"},
			{Encryption: "aes128", Integrity: "sha1", PRF: "prfsha1", DH: "modp1024"},
			{Encryption: "3des", Integrity: "sha1", PRF: "prfsha1", DH: "modp1024"},
		},
		ESP: []Proposal{
			{Encryption: "aes256", Integrity: "sha256"},
			{Encryption: "aes128", Integrity: "sha1"},
			{Encryption: "3des", Integrity: "sha1"},
		},
		Source: "strongSwan's iOS interoperability page, proposals seen from iOS 16.5 (assumed for earlier versions too)",
		VersusApple: "Apple's defaults describe only the first proposal (AES-256, SHA2-256, DH 14); the device also offers ECP_256, " +
			"MODP_1536 and two legacy proposals with SHA-1, MODP_1024 and 3DES",
	},
	{
		From: "26.0",
		IKE: []Proposal{
			{Encryption: "aes256", Integrity: "sha256", PRF: "prfsha256", DH: "modp2048"},
			{Encryption: "aes256", Integrity: "sha256", PRF: "prfsha256", DH: "ecp256"},
		},
		ESP: []Proposal{
			{Encryption: "aes256", Integrity: "sha256"},
		},
		Source: "strongSwan's iOS 16.5 list without the algorithms Apple's iOS 26 schema says are gone (DES, 3DES, SHA-1, DH 1, 2 and 5); " +
			"not observed on a device",
		VersusApple: "Apple's defaults describe only the first proposal (AES-256, SHA2-256, DH 14); the device also offers ECP_256",
	},
}

// DefaultProposalsFor returns the row of the iOS default proposals table
// that applies to the iOS version ios ("17.4").
func DefaultProposalsFor(ios string) DefaultProposals {
	row := iosDefaultProposals[0]
	for _, r := range iosDefaultProposals {
		if appleschema.CompareVersions(ios, r.From) >= 0 {
			row = r
		}
	}
	return row
}

// DefaultProposalsTable returns a copy of the whole table, oldest row first.
func DefaultProposalsTable() []DefaultProposals {
	return slices.Clone(iosDefaultProposals)
}

// strong returns the proposals that are not weak.
func strong(ps []Proposal) (keep, dropped []Proposal) {
	for _, p := range ps {
		if p.weak() {
			dropped = append(dropped, p)
		} else {
			keep = append(keep, p)
		}
	}
	return keep, dropped
}

// describeProposal names a strongSwan proposal in Apple's terms, for
// reports: "AES-256, SHA2-256, DH 14".
func describeProposal(p Proposal) string {
	var parts []string
	parts = append(parts, reverse(encryptionKeywords, p.Encryption))
	if p.Integrity != "" {
		parts = append(parts, reverse(integrityKeywords, p.Integrity))
	} else if p.PRF != "" {
		parts = append(parts, "PRF "+reverse(prfKeywords, p.PRF))
	}
	if p.DH != "" {
		parts = append(parts, "DH "+reverse(dhKeywords, p.DH))
	}
	return strings.Join(parts, ", ")
}

func reverse(table []keyword, ss string) string {
	for _, k := range table {
		if k.strongswan == ss {
			return k.apple
		}
	}
	return ss
}
