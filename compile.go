package graph2mobileconfig

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// Options control a compilation. The zero value compiles an unsigned XML
// profile for the default target.
type Options struct {
	// Compile are the compiler's options: the PayloadIdentifier prefix,
	// the organization, the client identity (see LoadClientIdentity), CA
	// certificates to embed, {{variable}} values, strict mode, the target
	// device, the IKEv2 settings beyond the Graph model and the SCEP
	// challenge. Its Certificates are compiled in too, after those of
	// CertificateExports.
	Compile compiler.Options
	// CertificateExports are the Intune certificate profiles the VPN
	// relies on (its SCEP or PKCS identity, trusted roots), exported on
	// their own and read by ReadCertificateExport. They are compiled into
	// the same profile; their findings come first in the diagnostics, and
	// an error in one stops every compilation.
	CertificateExports []CertificateExport
	// Format is the property list encoding: plistout.XML (the zero value)
	// or plistout.Binary.
	Format plistout.Format
	// Signer signs the profile; nil leaves it unsigned. New checks that
	// devices will accept its signatures (signing.CheckIdentity).
	Signer *signing.Identity
	// EncryptTo encrypts the payloads to a device's certificate, which
	// must hold an RSA key; nil leaves them in the clear.
	EncryptTo *x509.Certificate
	// Limits bound the JSON parser; graphjson.DefaultLimits when zero.
	Limits graphjson.Limits
	// Now is the time the signer and the device certificate are checked
	// against; the current time when zero.
	Now time.Time
	// Hints, when set, rewrites the text of every diagnostic's hint in the
	// caller's own terms (see diag.Hint); nil keeps the Go API's words.
	Hints diag.HintFunc
}

// Profile is a compiled configuration profile.
type Profile struct {
	// Data is the .mobileconfig file: a property list, signed (CMS
	// SignedData) when Options.Signer is set.
	Data []byte
	// Identifier and UUID are the profile's PayloadIdentifier and
	// PayloadUUID. Both follow from the export's id and the options, so
	// that a device replaces the profile it got from an earlier
	// compilation instead of installing a second copy.
	Identifier, UUID string
	// Secrets reports that Data holds a secret in the clear (a shared
	// secret, a SCEP challenge, a PKCS#12 identity or its password):
	// anyone who can read the file can use it, so it should be readable
	// by its owner only. Payloads encrypted with Options.EncryptTo hold
	// none in the clear.
	Secrets bool
}

// ErrInvalidInput is wrapped by the error of a compilation whose export or
// certificate exports have errors; the diagnostics returned with it list
// them.
var ErrInvalidInput = errors.New("graph2mobileconfig: the input has errors")

// OptionError reports an option that cannot work, found before anything is
// compiled.
type OptionError struct {
	// Option is the field of Options at fault: "Signer", "EncryptTo",
	// "CertificateExports[1]", or a field of the compiler's options such
	// as "Compile.Algorithms.PostQuantum".
	Option string
	// Err says what is wrong, in words that do not name the field.
	Err error
}

// Error says which option and what is wrong with it.
func (e *OptionError) Error() string {
	return "graph2mobileconfig: Options." + e.Option + ": " + e.Err.Error()
}

// Unwrap returns Err.
func (e *OptionError) Unwrap() error { return e.Err }

// Compiler compiles exports with options that New checked once. It is safe
// for concurrent use.
type Compiler struct {
	opts Options
}

// New checks the options and prepares a Compiler. The diagnostics are the
// findings about the options, reported once rather than with every
// compilation: those of the certificate exports (made errors by strict
// mode, as the compilation's own warnings are) and warnings about the
// signer and the device certificate (a signer that expires soon; strict
// mode leaves these warnings, which concern the caller's credentials rather
// than the input). New returns an *OptionError for an option that cannot
// work, and an error wrapping ErrInvalidInput when a certificate export has
// errors.
func New(opts Options) (*Compiler, diag.List, error) {
	if opts.Limits == (graphjson.Limits{}) {
		opts.Limits = graphjson.DefaultLimits
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if err := opts.Compile.Check(); err != nil {
		var ce *compiler.OptionError
		if errors.As(err, &ce) {
			return nil, nil, &OptionError{Option: "Compile." + ce.Option, Err: ce.Err}
		}
		return nil, nil, &OptionError{Option: "Compile", Err: err}
	}
	var notes diag.List
	if opts.Signer != nil {
		warnings, err := signing.CheckIdentity(opts.Signer, opts.Now)
		if err != nil {
			return nil, nil, &OptionError{Option: "Signer", Err: err}
		}
		notes = append(notes, warnings...)
	}
	if opts.EncryptTo != nil {
		warnings, err := CheckRecipient(opts.EncryptTo, opts.Now)
		if err != nil {
			return nil, nil, &OptionError{Option: "EncryptTo", Err: err}
		}
		notes = append(notes, warnings...)
	}

	// The certificate profiles of the exports come before those given to
	// the compiler directly, in a list of their own: the caller's slice is
	// never appended to.
	var certs []graphjson.CertificateProfile
	var exportDiags diag.List
	for i, ex := range opts.CertificateExports {
		if ex.Name == "" {
			return nil, nil, &OptionError{Option: fmt.Sprintf("CertificateExports[%d]", i), Err: errors.New("the export has no Name, which its diagnostics need")}
		}
		certs = append(certs, ex.Profiles...)
		exportDiags = append(exportDiags, ex.Diagnostics...)
	}
	if len(certs) > 0 {
		opts.Compile.Certificates = append(certs, opts.Compile.Certificates...)
	}
	if opts.Compile.Strict {
		exportDiags = exportDiags.Promote()
	}
	if exportDiags.HasErrors() {
		exportDiags.Sort()
		notes = append(notes, exportDiags...).WithHints(opts.Hints)
		return nil, notes, inputError(exportDiags, "a certificate export")
	}
	notes = append(notes, exportDiags...).WithHints(opts.Hints)
	return &Compiler{opts: opts}, notes, nil
}

// Options returns the options the Compiler was made with, with Limits and
// Now filled in. Its slices and pointers are the Compiler's: read them only.
func (c *Compiler) Options() Options { return c.opts }

// Compile compiles an export with the given options: New and
// Compiler.Compile in one call. The diagnostics are New's followed by the
// compilation's.
func Compile(ctx context.Context, export []byte, opts Options) (*Profile, diag.List, error) {
	c, notes, err := New(opts)
	if err != nil {
		return nil, notes, err
	}
	p, diags, err := c.Compile(ctx, export)
	return p, append(notes, diags...), err
}

// Compile compiles a document that holds exactly one IKEv2 VPN
// configuration (see the package documentation for the forms accepted).
// It reports every problem of the export in one run: a value that fails to
// decode is left unset and the compiler's findings about it are dropped,
// and nothing is encoded or signed when there is any error.
func (c *Compiler) Compile(ctx context.Context, export []byte) (*Profile, diag.List, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	cfg, item, diags := graphjson.DecodeSingle(export, c.opts.Limits)
	return c.compileDecoded(ctx, cfg, item, diags)
}

// CompileItem compiles one entity that graphjson.Split found in a
// document, as Compile does for a document of its own.
func (c *Compiler) CompileItem(ctx context.Context, item graphjson.Item) (*Profile, diag.List, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	cfg, diags := graphjson.Decode(item)
	return c.compileDecoded(ctx, cfg, item, diags)
}

// compileDecoded compiles even when decoding found errors, so that one run
// reports every problem of the input: the values that failed to decode are
// left unset, and the compiler's findings about those same properties are
// dropped (they would only repeat the decoding error in other words).
func (c *Compiler) compileDecoded(ctx context.Context, cfg *graphjson.IosikEv2VpnConfiguration, item graphjson.Item, diags diag.List) (*Profile, diag.List, error) {
	if cfg == nil {
		diags = c.finish(diags)
		return nil, diags, inputError(diags, "the export")
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
	res := compiler.Compile(compiler.Input{Config: cfg, Path: item.Path, Certificates: certs}, c.opts.Compile)
	merged := make(diag.List, 0, len(diags)+len(res.Diagnostics)+1)
	merged = append(merged, diags...)
	for _, d := range res.Diagnostics {
		if !under(d.Path, bad) {
			merged = append(merged, d)
		}
	}
	if res.Profile == nil || len(bad) > 0 {
		merged = c.finish(merged)
		return nil, merged, inputError(merged, "the export")
	}
	p := &Profile{Identifier: res.Identifier, UUID: res.UUID, Secrets: res.Secrets}
	data, err := c.encode(ctx, res.Profile, p, &merged)
	// Strict mode may make errors of the decoder's warnings, and of the
	// warning about a secret in the clear.
	merged = c.finish(merged)
	switch {
	case err != nil:
		return nil, merged, err
	case data == nil || merged.HasErrors():
		return nil, merged, inputError(merged, "the export")
	}
	p.Data = data
	return p, merged, nil
}

// encode encrypts, encodes and signs the profile, as the options ask. A
// failure is also a diagnostic, so that a report of the compilation says
// why there is no profile; a profile that cannot be encoded (nil data and
// no error) is a fault of the input.
func (c *Compiler) encode(ctx context.Context, profile *compiler.Dict, p *Profile, diags *diag.List) ([]byte, error) {
	if c.opts.EncryptTo != nil {
		if err := EncryptPayloads(profile, c.opts.EncryptTo); err != nil {
			diags.Errorf("encrypt", "", "%v", err)
			return nil, fmt.Errorf("graph2mobileconfig: cannot encrypt the payloads: %w", err)
		}
		p.Secrets = false
	}
	data, err := plistout.Encode(profile, c.opts.Format)
	if err != nil {
		diags.Errorf("encode", "", "cannot encode the profile: %v", err)
		return nil, nil
	}
	if p.Secrets && c.opts.Signer == nil {
		diags.AddHinted(diag.Warning, "unprotected-secret", "", "", signEncryptHint, "the profile holds a secret (a shared secret, a SCEP challenge or a PKCS#12 identity) and is neither signed nor encrypted: anyone who can read the file can use it")
	}
	if c.opts.Signer == nil {
		return data, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	signed, err := signing.Sign(data, c.opts.Signer)
	if err != nil {
		diags.Errorf("sign", "", "cannot sign the profile: %v", err)
		return nil, fmt.Errorf("graph2mobileconfig: cannot sign the profile: %w", err)
	}
	return signed, nil
}

var signEncryptHint = diag.Hint{Code: diag.HintSignEncrypt, Text: "sign it (Options.Signer) and encrypt it to the device (Options.EncryptTo)"}

// finish applies strict mode to the decoder's warnings too, orders the
// list, which it owns, keeps at most diag.DefaultMax of it (the rest
// counted in one line), so that one input cannot fill the memory or the
// terminal, and rewrites the hints in the caller's terms.
func (c *Compiler) finish(l diag.List) diag.List {
	if c.opts.Compile.Strict {
		l = l.Promote()
	}
	l.Sort()
	return l.Cap(diag.DefaultMax).WithHints(c.opts.Hints)
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

// inputError is the error of a compilation whose diagnostics hold errors:
// it wraps ErrInvalidInput and quotes the first of them.
func inputError(l diag.List, what string) error {
	i := slices.IndexFunc(l, func(d diag.Diagnostic) bool { return d.Severity == diag.Error })
	if i < 0 {
		// Not reached: a compilation fails only with an error finding.
		return fmt.Errorf("%w: %s cannot be compiled", ErrInvalidInput, what)
	}
	n := l.Count(diag.Error)
	if n == 1 {
		return fmt.Errorf("%w: %s has 1 error: %s", ErrInvalidInput, what, l[i])
	}
	return fmt.Errorf("%w: %s has %d errors, the first: %s", ErrInvalidInput, what, n, l[i])
}
