package profile_test

import (
	"crypto/x509"
	"encoding/pem"
	"reflect"
	"sort"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
)

func TestIsSecretKey(t *testing.T) {
	secret := []string{
		"SharedSecret", "AuthPassword", "XAuthPassword", "Password", "HTTPProxyPassword", "Challenge", "RemovalPassword",
		"PrivateKey", "PreSharedKey", "Passphrase", "WiFiPassphrase", "APIKey", "ApiKey", "key", "AccessToken",
		"AuthenticationToken", "ClientSecret", "PSK", "WPA-PSK", "PIN", "UserPassword", "CertificatePassword",
	}
	harmless := []string{
		"KeySize", "Keysize", "KeyType", "Key Type", "Key Usage", "KeyUsage", "KeyIsExtractable", "ExtendedKeyUsage",
		"PayloadCertificateUUID", "PublicKey", "XAuthPasswordEncryption", "PasswordEncryption", "TokenCard", "TokenType",
		"AllowPostQuantumKeyExchangeFallback", "PostQuantumKeyExchangeMethods", "RemoteIdentifier", "AuthName",
		"ServerCertificateCommonName", "PayloadContent", "Certificate", "HasRemovalPasscode", "AppLayerVPNMapping",
	}
	for _, k := range secret {
		if !profile.IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = false", k)
		}
	}
	for _, k := range harmless {
		if profile.IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = true", k)
		}
	}
}

// keyMaterial returns private keys and PKCS#12 files in every encoding, and
// certificates, which are not secret.
func keyMaterial(t *testing.T) (secret map[string][]byte, public map[string][]byte) {
	leaf := testpki.NewRoot(t, testpki.Options{}).NewLeaf(t, testpki.Options{})
	ecLeaf := testpki.NewRoot(t, testpki.Options{}).NewLeaf(t, testpki.Options{KeyType: testpki.ECDSAP256})
	der := func(b []byte) []byte {
		block, _ := pem.Decode(b)
		if block == nil {
			t.Fatal("no PEM block")
		}
		return block.Bytes
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	p12 := testpki.PKCS12(t, leaf, testpki.P12Legacy, "pw")
	// BER: the outer SEQUENCE with an indefinite length, as some
	// Windows tools write it.
	ber := append([]byte{0x30, 0x80}, p12[4:]...)
	ber = append(ber, 0, 0)
	secret = map[string][]byte{
		"PKCS#8":           pkcs8,
		"PKCS#1":           der(testpki.EncodePEMKey(t, leaf.Key, testpki.PKCS1, nil)),
		"SEC1":             der(testpki.EncodePEMKey(t, ecLeaf.Key, testpki.SEC1, nil)),
		"encrypted PKCS#8": der(testpki.EncodePEMKey(t, leaf.Key, testpki.EncryptedPKCS8, []byte("pw"))),
		"PKCS#12 legacy":   p12,
		"PKCS#12 modern":   testpki.PKCS12(t, leaf, testpki.P12Modern, "pw"),
		"PKCS#12 BER":      ber,
		"PEM key":          testpki.EncodePEMKey(t, ecLeaf.Key, testpki.PKCS8, nil),
		"PEM cert and key": append(testpki.EncodePEMCerts(leaf.Cert), testpki.EncodePEMKey(t, leaf.Key, testpki.PKCS1, nil)...),
	}
	public = map[string][]byte{
		"DER certificate": leaf.Cert.Raw,
		"PEM certificate": testpki.EncodePEMCerts(leaf.Cert, ecLeaf.Cert),
		"bytes":           {0x30, 0x03, 0x02, 0x01, 0x05},
	}
	return secret, public
}

func TestRedactByContent(t *testing.T) {
	secret, public := keyMaterial(t)
	for name, data := range secret {
		for _, v := range []any{data, string(data)} {
			if _, isString := v.(string); isString && name[:3] != "PEM" {
				continue
			}
			tree := map[string]any{"Blob": v, "List": []any{v}}
			got, n := profile.Redact(tree)
			if n != 2 || got.(map[string]any)["Blob"] != profile.Marker || got.(map[string]any)["List"].([]any)[0] != profile.Marker {
				t.Errorf("%s (%T) under a harmless key: %d redacted", name, v, n)
			}
		}
	}
	for name, data := range public {
		if _, n := profile.Redact(map[string]any{"PayloadContent": data, "Certificate": data}); n != 0 {
			t.Errorf("%s redacted", name)
		}
	}
}

func TestRedactProfile(t *testing.T) {
	secret, public := keyMaterial(t)
	tree := map[string]any{
		"PayloadType": "Configuration",
		"PayloadContent": []any{
			// WireGuard: the private key is a string.
			map[string]any{"PayloadType": "com.apple.vpn.managed", "VPNType": "VPN", "VPN": map[string]any{
				"PrivateKey": "aGVsbG8gd29ybGQgdGhpcyBpcyBub3QgYSBrZXk=", "PublicKey": "cHVibGlj", "KeySize": uint64(256),
				"PayloadCertificateUUID": "0F8FAD5B-D9CB-469F-A165-70867728950E",
			}},
			// An Exchange account's identity, under a key of its own.
			map[string]any{"PayloadType": "com.apple.eas.account", "Certificate": []byte("not recognisable, but the key says so"), "CertificatePassword": "pw1"},
			// A PEM payload that holds a private key, and one that does not.
			map[string]any{"PayloadType": "com.apple.security.pem", "PayloadContent": secret["PEM cert and key"]},
			map[string]any{"PayloadType": "com.apple.security.pem", "PayloadContent": public["PEM certificate"]},
			// SCEP: the challenge; the key settings stay.
			map[string]any{"PayloadType": "com.apple.security.scep", "PayloadContent": map[string]any{"Challenge": "one-time", "Keysize": uint64(2048), "Key Type": "RSA", "Key Usage": uint64(5)}},
			// A shared secret written as a number, a passphrase in an
			// array, flags about secrets.
			map[string]any{"IKEv2": map[string]any{"SharedSecret": uint64(730418552916400217), "PromptForVPNPassword": true, "XAuthPasswordEncryption": "Prompt", "AuthPassword": ""}},
			map[string]any{"Passphrases": []any{"a", "b"}, "WiFiPassphrase": map[string]any{"x": "y"}, "Token": []byte{}},
		},
	}
	got, n := profile.Redact(tree)
	var redacted []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(path+"["+string(rune('0'+i))+"]", e)
			}
		case string:
			if x == profile.Marker {
				redacted = append(redacted, path)
			}
		}
	}
	walk("", got)
	sort.Strings(redacted)
	want := []string{
		".PayloadContent[0].VPN.PrivateKey",
		".PayloadContent[1].Certificate",
		".PayloadContent[1].CertificatePassword",
		".PayloadContent[2].PayloadContent",
		".PayloadContent[4].PayloadContent.Challenge",
		".PayloadContent[5].IKEv2.SharedSecret",
		".PayloadContent[6].Passphrases",
		".PayloadContent[6].WiFiPassphrase",
	}
	if !reflect.DeepEqual(redacted, want) || n != len(want) {
		t.Errorf("redacted (%d):\n%v\nwant\n%v", n, redacted, want)
	}
	if profile.CountSecrets(tree) != n {
		t.Errorf("CountSecrets = %d, Redact counts %d", profile.CountSecrets(tree), n)
	}
	// Redact copies: the tree keeps its secrets.
	if tree["PayloadContent"].([]any)[5].(map[string]any)["IKEv2"].(map[string]any)["SharedSecret"] != uint64(730418552916400217) {
		t.Error("Redact changed its input")
	}
}
