package profile_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smallstep/pkcs7"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	_ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

func readFile(t testing.TB, parts ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{".."}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fixture returns a compiled fixture profile (XML).
func fixture(t testing.TB, name string) []byte {
	return readFile(t, "fixtures", name, "expected.mobileconfig")
}

func sign(t testing.TB, content []byte) ([]byte, *testpki.CA) {
	t.Helper()
	root := testpki.NewRoot(t, testpki.Options{})
	leaf := root.NewLeaf(t, testpki.Options{CommonName: "Test Profile Signer"})
	signed, err := signing.Sign(content, &signing.Identity{Certificate: leaf.Cert, PrivateKey: leaf.Key, Chain: leaf.Chain})
	if err != nil {
		t.Fatal(err)
	}
	return signed, root
}

func encode(t testing.TB, v any, f plistout.Format) []byte {
	t.Helper()
	out, err := plistout.Encode(v, f)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenFormats(t *testing.T) {
	xml := fixture(t, "psk-ondemand")
	model, _, err := plistout.Decode(xml)
	if err != nil {
		t.Fatal(err)
	}
	binary := encode(t, model, plistout.Binary)
	signed, root := sign(t, xml)
	tampered := bytes.Replace(bytes.Clone(signed), []byte("Warehouse VPN"), []byte("Warehouse VPX"), 1)

	tests := []struct {
		name        string
		data        []byte
		opts        profile.Options
		format      plistout.Format
		signed      bool
		valid       bool
		problem     error
		chainTested bool
	}{
		{"XML", xml, profile.Options{}, plistout.XML, false, false, nil, false},
		{"binary", binary, profile.Options{}, plistout.Binary, false, false, nil, false},
		{"signed", signed, profile.Options{}, plistout.XML, true, true, nil, false},
		{"signed and trusted", signed, profile.Options{Roots: root.Pool()}, plistout.XML, true, true, nil, true},
		{"signed by another CA", signed, profile.Options{Roots: testpki.NewRoot(t, testpki.Options{CommonName: "Another Root", KeyType: testpki.ECDSAP256}).Pool()}, plistout.XML, true, true, signing.ErrUntrusted, false},
		{"tampered", tampered, profile.Options{}, plistout.XML, true, false, signing.ErrContentModified, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := profile.Open(tt.data, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if p.Format != tt.format || (p.Signature != nil) != tt.signed {
				t.Fatalf("format %v, signed %v", p.Format, p.Signature != nil)
			}
			if p.Identifier != "com.contoso.warehouse.9b2d1f70-3e55-4c8a-b0a1-6f4c7e2d9a13" || p.UUID != "D0B8D389-67E6-5396-B055-F2E354D1F75C" ||
				p.Type != "Configuration" || len(p.Payloads) != 1 || p.Size != len(tt.data) {
				t.Errorf("profile %+v", p)
			}
			if !tt.signed {
				if !bytes.Equal(p.Content, tt.data) {
					t.Error("Content is not the input")
				}
				return
			}
			s := p.Signature
			if s.Valid != tt.valid || !errors.Is(s.Problem, tt.problem) || s.ChainVerified != tt.chainTested {
				t.Errorf("signature valid %v, problem %v, chain verified %v", s.Valid, s.Problem, s.ChainVerified)
			}
			if s.Signed.Signer == nil || s.Signed.Signer.Subject.CommonName != "Test Profile Signer" {
				t.Errorf("signer %v", s.Signed.Signer)
			}
			if tt.valid && !bytes.Equal(p.Content, xml) {
				t.Error("Content is not the signed profile byte for byte")
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	xml := fixture(t, "psk-ondemand")
	signed, _ := sign(t, xml)
	signedJSON, _ := sign(t, []byte(`{"PayloadType": "Configuration"}`))
	root := testpki.NewRoot(t, testpki.Options{})
	leaf := root.NewLeaf(t, testpki.Options{})
	sd, err := pkcs7.NewSignedData(xml)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSigner(leaf.Cert, leaf.Key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	sd.Detach()
	detached, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		opts profile.Options
		// kinds are the errors the error must wrap.
		kinds []error
		want  string
		// withProfile: Open returns the Profile with the error (the
		// signature could be read).
		withProfile bool
	}{
		{"empty", []byte(" \n"), profile.Options{}, []error{profile.ErrNotProfile}, "the input is empty", false},
		{"too large", xml, profile.Options{MaxSize: 100}, []error{profile.ErrTooLarge}, "larger than 100 bytes", false},
		{"JSON", []byte(`{"id": "x"}`), profile.Options{}, []error{profile.ErrNotProfile, plistout.ErrNotPlist}, "the file is not a configuration profile: not a property list: it is neither XML nor binary", false},
		{"array", []byte(`<plist version="1.0"><array/></plist>`), profile.Options{}, []error{profile.ErrNotProfile, plistout.ErrNotPlist}, "the property list's root is an array, not a dictionary", false},
		{"truncated CMS", signed[:len(signed)/2], profile.Options{}, []error{profile.ErrNotProfile, profile.ErrMalformedCMS}, "it is neither a property list nor valid CMS", false},
		{"damaged CMS", append([]byte{0x30, 0x82, 0x10, 0x00, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02}, make([]byte, 20)...), profile.Options{}, []error{profile.ErrMalformedCMS}, "", false},
		{"detached", detached, profile.Options{}, []error{profile.ErrNotProfile, profile.ErrDetached}, "the signature is detached", true},
		{"signed JSON", signedJSON, profile.Options{}, []error{profile.ErrNotProfile, plistout.ErrNotPlist}, "the signed content is not a configuration profile: not a property list", true},
		{"bomb", readFile(t, "testdata", "hostile", "bplist-bomb.bplist"), profile.Options{}, []error{profile.ErrNotProfile, plistout.ErrLimit}, "uses one array or dictionary in two places", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := profile.Open(tt.data, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open = %v; want an error containing %q", err, tt.want)
			}
			for _, k := range tt.kinds {
				if !errors.Is(err, k) {
					t.Errorf("error %q does not wrap %q", err, k)
				}
			}
			if (p != nil) != tt.withProfile {
				t.Errorf("Profile returned: %v, want %v", p != nil, tt.withProfile)
			}
			if p != nil && p.Signature == nil {
				t.Error("a Profile returned with an error must have its signature")
			}
		})
	}
}

func TestCheckInstallable(t *testing.T) {
	profileWith := func(drop string, set map[string]any) []byte {
		m := map[string]any{"PayloadType": "Configuration", "PayloadIdentifier": "com.x", "PayloadUUID": "0F8FAD5B-D9CB-469F-A165-70867728950E", "PayloadVersion": 1, "PayloadContent": []any{}}
		delete(m, drop)
		for k, v := range set {
			m[k] = v
		}
		return encode(t, m, plistout.XML)
	}
	signed, _ := sign(t, profileWith("", nil))
	tampered := bytes.Replace(bytes.Clone(signed), []byte("com.x"), []byte("com.y"), 1)
	tests := []struct {
		name        string
		data        []byte
		want        string
		notAProfile bool
	}{
		{"fine", profileWith("", nil), "", false},
		{"signed", signed, "", false},
		{"no PayloadType", profileWith("PayloadType", nil), "without a PayloadType", true},
		{"PayloadType not a string", profileWith("", map[string]any{"PayloadType": 1}), "whose PayloadType is an integer", true},
		{"a payload, not a profile", profileWith("", map[string]any{"PayloadType": "com.apple.vpn.managed"}), `PayloadType is "com.apple.vpn.managed", not a configuration profile`, true},
		{"no PayloadIdentifier", profileWith("PayloadIdentifier", nil), "no PayloadIdentifier", true},
		{"no PayloadUUID", profileWith("PayloadUUID", nil), "no PayloadUUID", true},
		{"modified after signing", tampered, "signature is not valid", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := profile.Open(tt.data, profile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = p.CheckInstallable()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckInstallable = %v, want an error containing %q", err, tt.want)
			}
			if errors.Is(err, profile.ErrNotProfile) != tt.notAProfile {
				t.Errorf("errors.Is(err, ErrNotProfile) = %v, want %v", !tt.notAProfile, tt.notAProfile)
			}
		})
	}
}

func TestOpenDecrypts(t *testing.T) {
	plain := fixture(t, "psk-ondemand")
	model, format, err := plistout.Decode(plain)
	if err != nil {
		t.Fatal(err)
	}
	device := testpki.NewRoot(t, testpki.Options{}).NewLeaf(t, testpki.Options{CommonName: "Test Device"})
	d := compiler.DictOf(model)
	if err := graph2mobileconfig.EncryptPayloads(d, device.Cert); err != nil {
		t.Fatal(err)
	}
	encrypted := encode(t, d, format)

	// Without the key: the recipients, no payloads.
	p, err := profile.Open(encrypted, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Encryption == nil || p.Encryption.Decrypted() || p.Encryption.Info == nil || len(p.Encryption.Info.Recipients) != 1 || p.Payloads != nil {
		t.Fatalf("encryption %+v, payloads %v", p.Encryption, p.Payloads)
	}
	if p.HoldsSecrets() {
		t.Error("an encrypted profile holds no secret in the clear")
	}

	// With it: the payloads, in the tree and the typed view.
	p, err = profile.Open(encrypted, profile.Options{Decrypt: &profile.Decryptor{Certificate: device.Cert, Key: device.Key}})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Encryption.Decrypted() || len(p.Payloads) != 1 || p.Payloads[0].VPN == nil || p.Payloads[0].VPN.IKEv2.RemoteAddress != "203.0.113.10" {
		t.Fatalf("decrypted view %+v", p.Payloads)
	}
	if _, ok := p.Tree()["EncryptedPayloadContent"]; ok {
		t.Error("Tree still has EncryptedPayloadContent")
	}
	if _, ok := p.Root["PayloadContent"]; ok {
		t.Error("Open changed Root")
	}

	// With another device's key: ErrDecrypt.
	other := testpki.NewRoot(t, testpki.Options{}).NewLeaf(t, testpki.Options{})
	if _, err := profile.Open(encrypted, profile.Options{Decrypt: &profile.Decryptor{Certificate: other.Cert, Key: other.Key}}); !errors.Is(err, profile.ErrDecrypt) {
		t.Errorf("wrong key: %v, want ErrDecrypt", err)
	}
}
