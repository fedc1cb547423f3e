// Package pipeline runs one Graph entity through every stage, in the order
// the design fixes: graphjson → compiler → plistout → signing. The compile
// and batch commands share it, so a profile made by either is the same.
package pipeline

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// Options control every stage.
type Options struct {
	// Compile are the compiler's options.
	Compile compiler.Options
	// Format is the plist encoding of the profile.
	Format plistout.Format
	// Signer signs the profile; nil leaves it unsigned.
	Signer *signing.Identity
	// EncryptTo encrypts the payloads to a device certificate (RSA only).
	EncryptTo *x509.Certificate
	// Limits bound the JSON parser.
	Limits graphjson.Limits
}

// Output is one compiled profile, or the reasons there is none.
type Output struct {
	// Bytes is the file to write; nil when Diagnostics hold an error.
	Bytes []byte
	// Secrets reports that the profile holds a secret, unencrypted.
	Secrets bool
	// Identifier is the profile's PayloadIdentifier.
	Identifier string
	// Diagnostics are every finding of every stage.
	Diagnostics diag.List
}

// Document compiles a document that holds exactly one IKEv2 configuration.
func Document(data []byte, opts Options) *Output {
	cfg, item, diags := graphjson.DecodeSingle(data, opts.Limits)
	return compileAfterDecode(cfg, item, diags, opts)
}

// Item compiles one entity found by graphjson.Split.
func Item(it graphjson.Item, opts Options) *Output {
	cfg, diags := graphjson.Decode(it)
	return compileAfterDecode(cfg, it, diags, opts)
}

// compileAfterDecode compiles even when decoding found errors, so that one
// run reports every problem of the input: the values that failed to decode
// are left unset, and the compiler's findings about those same properties
// are dropped (they would only repeat the decoding error in other words).
// Nothing is encoded or signed when there is any error.
func compileAfterDecode(cfg *graphjson.IosikEv2VpnConfiguration, item graphjson.Item, diags diag.List, opts Options) *Output {
	if cfg == nil {
		return &Output{Diagnostics: finish(diags, opts)}
	}
	// The certificate profiles expanded inline in the entity are part of
	// the same input.
	certs, certDiags := graphjson.ExpandedCertificates(item)
	diags = append(diags, certDiags...)
	var bad []string
	for _, d := range diags {
		if d.Severity == diag.Error && d.Path != "" {
			bad = append(bad, d.Path)
		}
	}
	out := compileDecoded(compiler.Input{Config: cfg, Path: item.Path, Certificates: certs}, opts, len(bad) > 0)
	merged := make(diag.List, 0, len(diags)+len(out.Diagnostics))
	merged = append(merged, diags...)
	for _, d := range out.Diagnostics {
		if !under(d.Path, bad) {
			merged = append(merged, d)
		}
	}
	out.Diagnostics = finish(merged, opts)
	if out.Diagnostics.HasErrors() {
		out.Bytes = nil
	}
	return out
}

// under reports whether path is one of the roots or inside one of them.
func under(path string, roots []string) bool {
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, r+".") || strings.HasPrefix(path, r+"[") {
			return true
		}
	}
	return false
}

// finish applies --strict to the decoder's warnings too, orders the list,
// which it owns, and keeps at most diag.DefaultMax of it (the rest counted
// in one line), so that one input cannot fill the memory or the terminal.
func finish(l diag.List, opts Options) diag.List {
	if opts.Compile.Strict {
		l = l.Promote()
	}
	l.Sort()
	return l.Cap(diag.DefaultMax)
}

func compileDecoded(in compiler.Input, opts Options, decodeFailed bool) *Output {
	res := compiler.Compile(in, opts.Compile)
	out := &Output{Identifier: res.Identifier, Diagnostics: res.Diagnostics}
	if res.Profile == nil || decodeFailed {
		return out
	}
	profile := res.Profile
	secrets := res.Secrets
	if opts.EncryptTo != nil {
		if err := EncryptPayloads(profile, opts.EncryptTo); err != nil {
			out.Diagnostics.Errorf("encrypt", "", "%v", err)
			return out
		}
		secrets = false
	}
	data, err := plistout.Encode(profile, opts.Format)
	if err != nil {
		out.Diagnostics.Errorf("encode", "", "cannot encode the profile: %v", err)
		return out
	}
	if secrets && opts.Signer == nil {
		out.Diagnostics.Warnf("unprotected-secret", "", "the profile holds a secret (a shared secret, a SCEP challenge or a PKCS#12 identity) and is neither signed nor encrypted: anyone who can read the file can use it; sign it (--sign-p12 or --sign-cert/--sign-key) and encrypt it to the device (--encrypt-to)")
	}
	if opts.Signer != nil {
		signed, err := signing.Sign(data, opts.Signer)
		if err != nil {
			out.Diagnostics.Errorf("sign", "", "cannot sign the profile: %v", err)
			return out
		}
		data = signed
	}
	out.Bytes = data
	out.Secrets = secrets
	return out
}

// EncryptPayloads replaces PayloadContent with EncryptedPayloadContent: the
// payload array, serialized as a property list and enveloped to the device's
// certificate, as Apple's "Encrypt and sign a profile" describes.
func EncryptPayloads(profile *compiler.Dict, device *x509.Certificate) error {
	content, ok := profile.Get("PayloadContent")
	if !ok {
		return fmt.Errorf("the profile has no PayloadContent to encrypt")
	}
	plain, err := plistout.Encode(content, plistout.XML)
	if err != nil {
		return fmt.Errorf("cannot encode the payloads for encryption: %v", err)
	}
	env, err := signing.Encrypt(plain, device)
	if err != nil {
		return err
	}
	profile.Delete("PayloadContent")
	profile.Set("EncryptedPayloadContent", env)
	profile.Set("IsEncrypted", true)
	return nil
}
