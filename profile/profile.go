// Package profile is the one way graph2mobileconfig reads a configuration
// profile, whoever wrote it: plain (XML, binary or OpenStep property list),
// CMS-signed, with encrypted payloads, or hostile.
//
// Open unwraps the signature (and checks it), decodes the property list
// within plistout's limits, decrypts EncryptedPayloadContent when given the
// device's key, and gives a typed view of the payloads: the VPN settings
// (IKEv2, security associations, on-demand rules, always-on tunnels) and
// the certificate payloads they refer to. Redact hides every secret a
// profile may hold, and Report is what inspect shows.
//
// Every command that reads a profile (lint, inspect, verify, unsign, sign,
// mdm-command, deploy) goes through Open, so limits, error messages and
// redaction are the same everywhere; the commands keep only their flags,
// their output and their exit statuses.
package profile

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// DefaultMaxSize is the largest input Open reads unless Options.MaxSize
// says otherwise: no real profile comes close.
const DefaultMaxSize = 16 << 20

// Errors of Open and of the checks. An error of Open wraps one of them and
// its cause (a plistout or signing error), and reads as one sentence that
// names no file: callers put the file's name in front.
var (
	// ErrNotProfile is wrapped by every error for input that cannot be
	// read as a configuration profile at all (as well as by the more
	// specific errors below that say why).
	ErrNotProfile = errors.New("not a configuration profile")
	// ErrTooLarge is for input larger than Options.MaxSize.
	ErrTooLarge = errors.New("the input is too large")
	// ErrMalformedCMS is for input that starts like CMS but cannot be
	// read as a SignedData.
	ErrMalformedCMS = errors.New("malformed CMS")
	// ErrDetached is for a signature that does not embed the profile.
	ErrDetached = errors.New("the signature is detached")
	// ErrDecrypt is for encrypted payloads that cannot be decrypted with
	// the key given, or that decrypt to something other than payloads.
	ErrDecrypt = errors.New("cannot decrypt the payloads")
	// ErrNotConfiguration is for a property list whose PayloadType is not
	// Configuration (a single payload, say), or that lacks what a device
	// needs: see CheckConfiguration and CheckInstallable.
	ErrNotConfiguration = errors.New("not a configuration profile")
	// ErrInvalidSignature is for a signed profile whose signature does not
	// verify, which a device refuses: see CheckInstallable.
	ErrInvalidSignature = errors.New("the signature is not valid")
)

// Error is an error of Open or of a check.
type Error struct {
	// Kind is one of the Err values above.
	Kind error
	msg  string
	err  error
}

func (e *Error) Error() string { return e.msg }

// Unwrap lets errors.Is find the kind, ErrNotProfile where it applies, and
// the cause.
func (e *Error) Unwrap() []error {
	errs := []error{e.Kind}
	switch e.Kind {
	case ErrNotProfile, ErrTooLarge, ErrDecrypt, ErrInvalidSignature:
	default:
		errs = append(errs, ErrNotProfile)
	}
	if e.err != nil {
		errs = append(errs, e.err)
	}
	return errs
}

func newError(kind, cause error, format string, args ...any) *Error {
	return &Error{Kind: kind, msg: fmt.Sprintf(format, args...), err: cause}
}

// Options control Open.
type Options struct {
	// MaxSize refuses larger input; 0 means DefaultMaxSize.
	MaxSize int64
	// Roots and SystemRoots ask Open to check that the signer chains to a
	// trusted root as well (Signature.ChainChecked); without them only the
	// signature itself is checked.
	Roots       *x509.CertPool
	SystemRoots bool
	// Now is the time for the validity checks; zero means now.
	Now time.Time
	// Decrypt, when set, decrypts EncryptedPayloadContent.
	Decrypt *Decryptor
}

// Decryptor is the identity of the device that encrypted payloads are
// addressed to: its certificate and RSA private key.
type Decryptor struct {
	Certificate *x509.Certificate
	Key         crypto.PrivateKey
}

// Profile is a configuration profile as Open read it.
type Profile struct {
	// Size is the size of the input in bytes.
	Size int
	// Content is the property list: the input itself, or the content that
	// the signature embeds, byte for byte.
	Content []byte
	// Format is the encoding of Content.
	Format plistout.Format
	// Signature is set when the input is CMS-signed.
	Signature *Signature
	// Encryption is set when the payloads are encrypted
	// (EncryptedPayloadContent).
	Encryption *Encryption
	// Root is the top-level dictionary of Content as decoded: encrypted
	// payloads stay encrypted in it.
	Root Dict
	// Type, Identifier, UUID, DisplayName and Organization are the
	// top-level PayloadType, PayloadIdentifier, PayloadUUID,
	// PayloadDisplayName and PayloadOrganization ("" when absent or not
	// strings).
	Type, Identifier, UUID, DisplayName, Organization string
	// Payloads is the typed view of PayloadContent, decrypted payloads
	// included; nil when PayloadContent is missing or not an array.
	Payloads []*Payload
}

// Signature is what Open found of a CMS signature.
type Signature struct {
	// Signed is the parsed SignedData: signer certificate, embedded
	// certificates, algorithms, signing time.
	Signed *signing.Signed
	// Valid reports that every signature verifies over the content.
	Valid bool
	// ChainChecked reports that Options asked for a trust check;
	// ChainVerified that it passed, with the chains found.
	ChainChecked, ChainVerified bool
	Chains                      [][]*x509.Certificate
	// Problem is the first check that failed (the signature, the
	// signer's validity, the chain), or nil. It wraps signing's
	// ErrContentModified, ErrBadSignature, ErrNoSigner, ErrUntrusted or
	// ErrSignerExpired where one applies.
	Problem error
	// Warnings are findings that do not make the signature invalid: a
	// SHA-1 digest, a signer outside its validity when no chain check was
	// asked for.
	Warnings diag.List
}

// Encryption is what Open found of encrypted payloads.
type Encryption struct {
	// Envelope is the CMS EnvelopedData of EncryptedPayloadContent; nil
	// when that key does not hold data.
	Envelope []byte
	// Info names the recipients and the cipher; nil when the envelope
	// cannot be read (see Problem).
	Info *signing.Envelope
	// Problem says why the recipients cannot be read.
	Problem string
	// Payloads are the decrypted payloads, when Options.Decrypt opened
	// them.
	Payloads []any
}

// Decrypted reports whether the payloads were decrypted.
func (e *Encryption) Decrypted() bool { return e.Payloads != nil }

// Open reads a configuration profile. See the package documentation.
//
// A signature that does not verify, or a chain that is not trusted, is not
// an error of Open: it is recorded in Signature, and each command decides.
// Errors are for input that cannot be read as a profile: empty or too large
// (ErrTooLarge), damaged CMS (ErrMalformedCMS), a detached signature
// (ErrDetached), a property list that is malformed (plistout.ErrNotPlist)
// or beyond the limits (plistout.ErrLimit) or whose root is not a
// dictionary, and payloads that cannot be decrypted (ErrDecrypt). With an
// error, Open still returns the Profile when the signature could be read
// (Signature, and Content for a signature that is not detached), so that a
// command can report or unwrap it; otherwise it returns nil.
func Open(data []byte, opts Options) (*Profile, error) {
	limit := opts.MaxSize
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	if int64(len(data)) > limit {
		return nil, newError(ErrTooLarge, nil, "the input is larger than %d bytes; no configuration profile is that large", limit)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, newError(ErrNotProfile, nil, "the input is empty")
	}
	p := &Profile{Size: len(data), Content: data}
	if signing.IsCMS(data) {
		v, err := signing.Verify(data, signing.VerifyOptions{Roots: opts.Roots, SystemRoots: opts.SystemRoots, Now: opts.Now})
		if v == nil {
			return nil, newError(ErrMalformedCMS, err, "it looks like a signed profile, but its CMS structure cannot be read: %v", err)
		}
		p.Signature = &Signature{
			Signed:        v.Signed,
			Valid:         v.SignatureValid,
			ChainChecked:  opts.Roots != nil || opts.SystemRoots,
			ChainVerified: v.ChainVerified,
			Chains:        v.Chains,
			Problem:       err,
			Warnings:      v.Warnings,
		}
		if v.Signed.Content == nil {
			p.Content = nil
			return p, newError(ErrDetached, nil, "the signature is detached: the profile is not embedded in it")
		}
		p.Content = v.Signed.Content
	}
	root, format, err := plistout.Decode(p.Content)
	p.Format = format
	if err != nil {
		if p.Signature != nil {
			return p, newError(ErrNotProfile, err, "the signed content is not a configuration profile: %v", err)
		}
		if len(data) > 0 && data[0] == 0x30 {
			// A DER SEQUENCE, as CMS starts, that IsCMS does not
			// recognise: a truncated download, say.
			if _, cmsErr := signing.Parse(data); cmsErr != nil {
				return nil, newError(ErrMalformedCMS, cmsErr, "it is neither a property list nor valid CMS: %v", cmsErr)
			}
		}
		return nil, newError(ErrNotProfile, err, "the file is not a configuration profile: %v", err)
	}
	p.Root = root
	p.Type, _ = p.Root.String("PayloadType")
	p.Identifier, _ = p.Root.String("PayloadIdentifier")
	p.UUID, _ = p.Root.String("PayloadUUID")
	p.DisplayName, _ = p.Root.String("PayloadDisplayName")
	p.Organization, _ = p.Root.String("PayloadOrganization")
	if err := p.openEncryption(opts.Decrypt); err != nil {
		return p, err
	}
	p.Payloads = readPayloads(p.Tree())
	return p, nil
}

// openEncryption reads EncryptedPayloadContent, and decrypts it with dec.
func (p *Profile) openEncryption(dec *Decryptor) error {
	raw, ok := p.Root["EncryptedPayloadContent"]
	if !ok {
		return nil
	}
	enc := &Encryption{}
	p.Encryption = enc
	envelope, ok := raw.([]byte)
	if !ok {
		enc.Problem = fmt.Sprintf("EncryptedPayloadContent is %s, not data", plistout.TypeName(raw))
		if dec != nil {
			return newError(ErrDecrypt, nil, "cannot decrypt the payloads: %s", enc.Problem)
		}
		return nil
	}
	enc.Envelope = envelope
	if info, err := signing.ParseEnvelope(envelope); err != nil {
		enc.Problem = err.Error()
	} else {
		enc.Info = info
	}
	if dec == nil {
		return nil
	}
	plain, err := signing.Decrypt(envelope, dec.Certificate, dec.Key)
	if err != nil {
		return newError(ErrDecrypt, err, "cannot decrypt EncryptedPayloadContent with the device key: %v", err)
	}
	// The payloads take the place of PayloadContent, one level below
	// the root: their depth limit is one less.
	v, _, err := plistout.DecodeValue(plain, plistout.DecodeOptions{MaxDepth: plistout.MaxDepth - 1})
	if err != nil {
		return newError(ErrDecrypt, err, "the decrypted payloads cannot be read: %v", err)
	}
	payloads, ok := v.([]any)
	if !ok {
		return newError(ErrDecrypt, nil, "the decrypted payloads are %s, not an array", plistout.TypeName(v))
	}
	enc.Payloads = payloads
	return nil
}

// Tree returns the profile as a device sees it: Root, with the decrypted
// payloads as PayloadContent (and no EncryptedPayloadContent) when they
// were decrypted. Root itself is not changed.
func (p *Profile) Tree() Dict {
	if p.Encryption == nil || !p.Encryption.Decrypted() {
		return p.Root
	}
	t := make(Dict, len(p.Root))
	for k, v := range p.Root {
		t[k] = v
	}
	delete(t, "EncryptedPayloadContent")
	t["PayloadContent"] = p.Encryption.Payloads
	return t
}

// HoldsSecrets reports whether the property list, as it is in the file,
// holds a secret in the clear (secrets inside EncryptedPayloadContent do not
// count): whoever writes it out should keep it private.
func (p *Profile) HoldsSecrets() bool { return CountSecrets(p.Root) > 0 }

// CheckConfiguration checks that the property list is a configuration
// profile: its PayloadType is Configuration.
func (p *Profile) CheckConfiguration() error {
	typ, ok := p.Root["PayloadType"]
	switch s, isString := typ.(string); {
	case !ok:
		return newError(ErrNotConfiguration, nil, "it is a property list dictionary without a PayloadType, not a configuration profile (PayloadType Configuration)")
	case !isString:
		return newError(ErrNotConfiguration, nil, "it is a property list dictionary whose PayloadType is %s, not the string Configuration", plistout.TypeName(typ))
	case s != "Configuration":
		return newError(ErrNotConfiguration, nil, "it is a property list dictionary whose PayloadType is %q, not a configuration profile (PayloadType Configuration; is it a single payload?)", s)
	}
	return nil
}

// CheckInstallable checks what a device needs to install the profile: a
// valid signature if it is signed (whether the signer is trusted is up to
// the device), PayloadType Configuration, a PayloadIdentifier and a
// PayloadUUID.
func (p *Profile) CheckInstallable() error {
	if s := p.Signature; s != nil && !s.Valid {
		return newError(ErrInvalidSignature, s.Problem, "the profile's signature is not valid: %v", s.Problem)
	}
	if err := p.CheckConfiguration(); err != nil {
		return err
	}
	if p.Identifier == "" {
		return newError(ErrNotConfiguration, nil, "it has no PayloadIdentifier, which a device needs to install (and later remove) it")
	}
	if p.UUID == "" {
		return newError(ErrNotConfiguration, nil, "it has no PayloadUUID, which a device needs to install it")
	}
	return nil
}
