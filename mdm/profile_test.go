package mdm_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/smallstep/pkcs7"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/mdm"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// signProfile signs content with a new test identity.
func signProfile(t *testing.T, content []byte) ([]byte, *testpki.Leaf) {
	t.Helper()
	root := testpki.NewRoot(t, testpki.Options{})
	leaf := root.NewLeaf(t, testpki.Options{CommonName: "Test Profile Signer"})
	signed, err := signing.Sign(content, &signing.Identity{Certificate: leaf.Cert, PrivateKey: leaf.Key, Chain: leaf.Chain})
	if err != nil {
		t.Fatal(err)
	}
	return signed, leaf
}

func TestReadProfile(t *testing.T) {
	binary := readTestProfile(t)
	model, _, err := plistout.Decode(binary)
	if err != nil {
		t.Fatal(err)
	}
	xml, err := plistout.Encode(model, plistout.XML)
	if err != nil {
		t.Fatal(err)
	}
	signed, signer := signProfile(t, xml)
	want := mdm.Profile{
		Identifier:  "com.contoso.branch.71c0b9e3-58a4-4d2f-9c61-0e3b5a7d8f24",
		UUID:        "239349F4-FADC-5635-B71A-DAA450143406",
		DisplayName: "iOS - Branch VPN with PAC proxy",
	}
	tests := []struct {
		name       string
		data       []byte
		wantSigned bool
	}{
		{"binary plist", binary, false},
		{"XML plist", xml, false},
		{"signed", signed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := mdm.ReadProfile(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if p.Identifier != want.Identifier || p.UUID != want.UUID || p.DisplayName != want.DisplayName || p.Signed != tt.wantSigned {
				t.Errorf("ReadProfile = %+v, want %+v with Signed %v", p, want, tt.wantSigned)
			}
			if tt.wantSigned && (p.Signer == nil || !p.Signer.Equal(signer.Cert)) {
				t.Errorf("Signer = %v, want the signing certificate", p.Signer)
			}
			if !tt.wantSigned && p.Signer != nil {
				t.Errorf("Signer set on an unsigned profile")
			}
		})
	}
}

func TestReadProfileErrors(t *testing.T) {
	enc := func(v map[string]any) []byte {
		b, err := plistout.Encode(v, plistout.XML)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	profile := func(drop string, set map[string]any) []byte {
		m := map[string]any{"PayloadType": "Configuration", "PayloadIdentifier": "com.x", "PayloadUUID": fixedUUID, "PayloadVersion": 1, "PayloadContent": []any{}}
		delete(m, drop)
		for k, v := range set {
			m[k] = v
		}
		return enc(m)
	}
	xml := profile("", nil)
	signed, _ := signProfile(t, xml)
	tampered := bytes.Replace(bytes.Clone(signed), []byte("com.x"), []byte("com.y"), 1)
	if bytes.Equal(tampered, signed) {
		t.Fatal("could not tamper with the signed profile")
	}
	signedJSON, _ := signProfile(t, []byte(`{"PayloadType": "Configuration"}`))

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
		name        string
		data        []byte
		want        string
		notAProfile bool
	}{
		{"empty", nil, "the file is empty", true},
		{"JSON", []byte(`{"id": "x"}`), "neither a property list nor CMS-signed", true},
		{"array plist", []byte(`<plist version="1.0"><array/></plist>`), "neither a property list nor CMS-signed", true},
		{"no PayloadType", profile("PayloadType", nil), "has no PayloadType", true},
		{"a payload, not a profile", profile("", map[string]any{"PayloadType": "com.apple.vpn.managed"}), `PayloadType is "com.apple.vpn.managed", want "Configuration"`, true},
		{"no PayloadIdentifier", profile("PayloadIdentifier", nil), "no PayloadIdentifier", true},
		{"no PayloadUUID", profile("PayloadUUID", nil), "no PayloadUUID", true},
		{"signed, modified after signing", tampered, "signature is not valid", false},
		{"signed JSON", signedJSON, "the signed content is not a property list", true},
		{"detached signature", detached, "detached CMS signature", true},
		{"truncated CMS", signed[:len(signed)/2], "neither a property list nor CMS-signed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := mdm.ReadProfile(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadProfile = %+v, %v; want an error containing %q", p, err, tt.want)
			}
			if got := errors.Is(err, mdm.ErrNotProfile); got != tt.notAProfile {
				t.Errorf("errors.Is(err, ErrNotProfile) = %v, want %v (err: %v)", got, tt.notAProfile, err)
			}
		})
	}
}
