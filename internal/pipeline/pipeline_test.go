package pipeline_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/pipeline"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

const secret = "pipeline-test-secret"

// export is a valid shared-secret export; extra members go before the
// closing brace.
func export(extra string) []byte {
	return []byte(`{
  "@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration",
  "id": "7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37",
  "displayName": "Pipeline test",
  "connectionName": "Pipeline",
  "server": {"address": "vpn.example.com"},
  "remoteIdentifier": "vpn.example.com",
  "localIdentifier": "empty",
  "authenticationMethod": "sharedSecret",
  "clientAuthenticationType": "deviceAuthentication",
  "sharedSecret": "` + secret + `"` + extra + `
}`)
}

func options() pipeline.Options {
	return pipeline.Options{Limits: graphjson.DefaultLimits, Format: plistout.XML}
}

// describe prints every finding, one a line: %v of a diag.List prints only
// its errors.
func describe(l diag.List) string {
	var b strings.Builder
	for _, d := range l {
		b.WriteString("\n\t" + d.String())
	}
	return b.String()
}

func codesAt(l diag.List, path string) []string {
	var out []string
	for _, d := range l {
		if d.Path == path {
			out = append(out, d.Severity.String()+" "+d.Code)
		}
	}
	return out
}

// TestErrorsOfEveryStageAreMerged: one run reports the decoder's errors and
// the compiler's, in path order, and writes nothing.
func TestErrorsOfEveryStageAreMerged(t *testing.T) {
	data := export(`, "mtuSizeInBytes": "1400", "securityAssociationParameters": {"securityEncryptionAlgorithm": "aes192"}`)
	out := pipeline.Document(data, options())
	if out.Bytes != nil {
		t.Error("bytes despite errors")
	}
	decodeErr, compileErr := -1, -1
	for i, d := range out.Diagnostics {
		switch {
		case d.Path == "$.mtuSizeInBytes" && d.Severity == diag.Error:
			decodeErr = i
		case d.Path == "$.securityAssociationParameters.securityEncryptionAlgorithm" && d.Code == "unsupported-value":
			compileErr = i
		}
	}
	if decodeErr < 0 || compileErr < 0 {
		t.Fatalf("want the decoder's error on mtuSizeInBytes and the compiler's on the cipher:%s", describe(out.Diagnostics))
	}
	if compileErr < decodeErr { // "$.mtu..." sorts before "$.security..."
		t.Errorf("findings are not in path order:%s", describe(out.Diagnostics))
	}
	if out.Diagnostics.Count(diag.Error) != 2 {
		t.Errorf("want exactly 2 errors:%s", describe(out.Diagnostics))
	}
}

// TestDerivedErrorsAreDropped: a value the decoder refused is left unset, and
// the compiler's complaint about that same property (here: "the server
// address is required") would only repeat the decoding error.
func TestDerivedErrorsAreDropped(t *testing.T) {
	data := bytes.Replace(export(""), []byte(`"server": {"address": "vpn.example.com"}`), []byte(`"server": "vpn.example.com"`), 1)
	out := pipeline.Document(data, options())
	got := codesAt(out.Diagnostics, "$.server")
	if len(got) != 1 || !strings.HasPrefix(got[0], "error ") || got[0] == "error missing-server" {
		t.Errorf("want the decoder's error alone at $.server, got %v:%s", got, describe(out.Diagnostics))
	}
	for _, d := range out.Diagnostics {
		if d.Code == "missing-server" {
			t.Errorf("a derived compiler error was kept: %s", d)
		}
	}
	// A compiler error elsewhere is kept.
	data = bytes.Replace(export(`, "securityAssociationParameters": {"lifetimeInMinutes": 5}`), []byte(`"server": {"address": "vpn.example.com"}`), []byte(`"server": "vpn.example.com"`), 1)
	out = pipeline.Document(data, options())
	if got := codesAt(out.Diagnostics, "$.securityAssociationParameters.lifetimeInMinutes"); len(got) != 1 || got[0] != "error out-of-range" {
		t.Errorf("the unrelated compiler error is lost: %v:%s", got, describe(out.Diagnostics))
	}
	// The entity itself failing to decode gives no compiler findings.
	out = pipeline.Document([]byte(`[1, 2]`), options())
	if out.Bytes != nil || !out.Diagnostics.HasErrors() {
		t.Errorf("not an entity:%s", describe(out.Diagnostics))
	}
}

// TestStrictAppliesToEveryStage: --strict promotes the decoder's warnings
// too, not only the compiler's.
func TestStrictAppliesToEveryStage(t *testing.T) {
	data := export(`, "@odata.etag": "W/\"1\"", "bogusMember": 1`)
	plain := pipeline.Document(data, options())
	if plain.Bytes == nil {
		t.Fatalf("no profile:%s", describe(plain.Diagnostics))
	}
	warned := false
	for _, d := range plain.Diagnostics {
		warned = warned || d.Path == "$.bogusMember" && d.Severity == diag.Warning
	}
	if !warned {
		t.Fatalf("the decoder does not warn about an unknown member:%s", describe(plain.Diagnostics))
	}
	opts := options()
	opts.Compile.Strict = true
	strict := pipeline.Document(data, opts)
	if strict.Bytes != nil {
		t.Error("--strict wrote a profile despite a decoder warning")
	}
	if got := codesAt(strict.Diagnostics, "$.bogusMember"); len(got) != 1 || !strings.HasPrefix(got[0], "error ") {
		t.Errorf("the decoder's warning is not an error under --strict: %v", got)
	}
}

// TestCompileSignEncrypt runs every stage: the output is a CMS signature
// that verifies, over a profile whose payloads are enveloped to the device
// and decrypt to the compiled VPN payload with its secret.
func TestCompileSignEncrypt(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{})
	signer := root.NewLeaf(t, testpki.Options{CommonName: "Pipeline Signer"})
	device := root.NewLeaf(t, testpki.Options{CommonName: "Device", KeyType: testpki.RSA2048, Key: testpki.Key(t, testpki.RSA2048, 5)})

	opts := options()
	opts.Signer = &signing.Identity{Certificate: signer.Cert, PrivateKey: signer.Key, Chain: signer.Chain}
	opts.EncryptTo = device.Cert
	out := pipeline.Document(export(""), opts)
	if out.Bytes == nil {
		t.Fatalf("no output:%s", describe(out.Diagnostics))
	}
	if out.Secrets {
		t.Error("an encrypted profile is reported as holding secrets in the clear")
	}
	for _, d := range out.Diagnostics {
		if d.Code == "unprotected-secret" {
			t.Errorf("a signed, encrypted profile is reported unprotected: %s", d)
		}
	}
	if bytes.Contains(out.Bytes, []byte(secret)) {
		t.Fatal("the shared secret is in the output in the clear")
	}
	if !signing.IsCMS(out.Bytes) {
		t.Fatal("the output is not CMS")
	}
	v, err := signing.Verify(out.Bytes, signing.VerifyOptions{Roots: root.Pool()})
	if err != nil || !v.SignatureValid || !v.ChainVerified {
		t.Fatalf("the signature does not verify: %v", err)
	}
	content, err := signing.Unsign(out.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	profile, _, err := plistout.Decode(content)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := profile["PayloadContent"]; ok {
		t.Error("PayloadContent is still in the clear")
	}
	if profile["PayloadIdentifier"] != out.Identifier || out.Identifier == "" {
		t.Errorf("identifier %v, reported %q", profile["PayloadIdentifier"], out.Identifier)
	}
	env, _ := profile["EncryptedPayloadContent"].([]byte)
	plain, err := signing.Decrypt(env, device.Cert, device.Key)
	if err != nil {
		t.Fatalf("the payloads do not decrypt with the device key: %v", err)
	}
	decoded, err := plistout.DecodeAny(plain)
	if err != nil {
		t.Fatalf("the decrypted payloads are not a property list: %v", err)
	}
	payloads, _ := decoded.([]any)
	var vpn map[string]any
	for _, p := range payloads {
		if m, _ := p.(map[string]any); m["PayloadType"] == "com.apple.vpn.managed" {
			vpn = m
		}
	}
	ike, _ := vpn["IKEv2"].(map[string]any)
	if ike["SharedSecret"] != secret || ike["RemoteAddress"] != "vpn.example.com" {
		t.Errorf("the decrypted VPN payload is %v", vpn)
	}
	if _, err := signing.Decrypt(env, signer.Cert, signer.Key); err == nil {
		t.Error("another key decrypts the payloads")
	}
}

// TestUnprotectedSecretWarning: a profile with a secret that is neither
// signed nor encrypted says so, and reports the secret for mode 0600.
func TestUnprotectedSecretWarning(t *testing.T) {
	out := pipeline.Document(export(""), options())
	if out.Bytes == nil || !out.Secrets {
		t.Fatalf("secrets %v:%s", out.Secrets, describe(out.Diagnostics))
	}
	found := false
	for _, d := range out.Diagnostics {
		found = found || d.Code == "unprotected-secret" && d.Severity == diag.Warning
	}
	if !found {
		t.Errorf("no unprotected-secret warning:%s", describe(out.Diagnostics))
	}
	if !bytes.Contains(out.Bytes, []byte("<string>"+secret+"</string>")) {
		t.Error("the unsigned profile does not carry the secret it was given")
	}
}

// TestItems compiles the entities of a list one by one, as batch does.
func TestItems(t *testing.T) {
	list := []byte(`{"value": [` + string(export("")) + `, ` +
		strings.Replace(string(export("")), "7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37", "8e5d3f21-6b4c-4a97-8f32-1c9d7e5a2b48", 1) + `]}`)
	items, err := graphjson.Split(list, graphjson.DefaultLimits)
	if err != nil || len(items) != 2 {
		t.Fatalf("Split: %d items, %v", len(items), err)
	}
	ids := map[string]bool{}
	for _, it := range items {
		out := pipeline.Item(it, options())
		if out.Bytes == nil {
			t.Fatalf("%s: no profile:%s", it.Path, describe(out.Diagnostics))
		}
		ids[out.Identifier] = true
	}
	if len(ids) != 2 {
		t.Errorf("identifiers %v", ids)
	}
}
