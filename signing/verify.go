package signing

import (
	"crypto"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// Errors reported by Verify. The returned error's message is more specific;
// test for these with errors.Is.
var (
	// ErrContentModified means the embedded content does not match the
	// digest that was signed.
	ErrContentModified = errors.New("content does not match the signed digest (the profile was modified after signing)")
	// ErrBadSignature means the signature is not valid for the signer's
	// public key.
	ErrBadSignature = errors.New("signature does not verify with the signer's public key")
	// ErrNoSigner means there is no SignerInfo, or its certificate is not
	// embedded.
	ErrNoSigner = errors.New("the signer could not be identified")
	// ErrUntrusted means the signer certificate does not chain to a trusted
	// root.
	ErrUntrusted = errors.New("signer certificate is not trusted")
	// ErrSignerExpired means the signer certificate is outside its validity
	// period at the verification time.
	ErrSignerExpired = errors.New("signer certificate is not valid at this time")
)

// VerifyOptions control which trust anchors Verify checks the signer
// against. With neither Roots nor SystemRoots, only the signature is checked.
type VerifyOptions struct {
	// Roots are trusted root certificates, for example a private CA.
	Roots *x509.CertPool
	// SystemRoots also trusts the operating system's root store.
	SystemRoots bool
	// Now is the time at which the chain must be valid; zero means now.
	Now time.Time
}

// Verification reports what Verify checked.
type Verification struct {
	// Signed is the parsed SignedData, set whenever it could be parsed.
	Signed *Signed
	// SignatureValid is true when every signature verified over the content.
	SignatureValid bool
	// ChainVerified is true when the signer chained to a trusted root.
	ChainVerified bool
	// Chains are the verified chains, leaf first, when ChainVerified.
	Chains [][]*x509.Certificate
	// Warnings are findings that do not make the signature invalid: a signer
	// that has expired or is not yet valid (when no chain check was asked
	// for), or a SHA-1 digest.
	Warnings diag.List
}

// verifyError carries a specific message and one of the Err values above.
type verifyError struct {
	kind error
	msg  string
}

func (e *verifyError) Error() string { return e.msg }
func (e *verifyError) Unwrap() error { return e.kind }

// dateFormat is how dates appear in messages.
const dateFormat = "2006-01-02 15:04:05 UTC"

func formatDate(t time.Time) string { return t.UTC().Format(dateFormat) }

// Verify checks that data is a CMS SignedData whose signatures are valid for
// its embedded content. With opts.Roots or opts.SystemRoots it also checks
// that each signer certificate chains to a trusted root at opts.Now, using
// the embedded certificates as intermediates.
//
// The returned Verification is non-nil whenever data could be parsed, also
// when err is not nil, so a caller can report what did verify (for example
// a valid signature by a signer that has since expired). Signers named by
// subject key identifier (CMS version 3, as in Apple-signed profiles) are
// supported.
func Verify(data []byte, opts VerifyOptions) (*Verification, error) {
	s, err := Parse(data)
	if err != nil {
		return nil, err
	}
	v := &Verification{Signed: s}
	if s.detached {
		return v, errors.New("the signature is detached: the signed content is not embedded, so there is nothing to verify")
	}
	if len(s.signers) == 0 {
		return v, &verifyError{ErrNoSigner, "the data has no signer (it contains no SignerInfo)"}
	}
	for _, si := range s.signers {
		if err := verifySignerInfo(s, si); err != nil {
			return v, err
		}
		if h, _ := digestHash(si.digest.Algorithm); h == crypto.SHA1 {
			v.Warnings.Warnf("weak-digest", "", "The profile is signed with a SHA-1 digest, which is obsolete; re-sign it with SHA-256.")
		}
	}
	v.SignatureValid = true

	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	if opts.Roots == nil && !opts.SystemRoots {
		for _, si := range s.signers {
			if err := checkValidity(si.cert, now); err != nil {
				v.Warnings.Warnf("signer-not-valid", "", "%s; devices treat the profile as unsigned.", upperFirst(err.Error()))
			}
		}
		return v, nil
	}

	intermediates := x509.NewCertPool()
	for _, c := range s.Certificates {
		intermediates.AddCert(c)
	}
	for _, si := range s.signers {
		if err := checkValidity(si.cert, now); err != nil {
			return v, err
		}
		chains, err := verifyChain(si.cert, intermediates, opts, now)
		if err != nil {
			return v, err
		}
		v.Chains = append(v.Chains, chains...)
	}
	v.ChainVerified = true
	return v, nil
}

// verifySignerInfo checks one signature over the content.
func verifySignerInfo(s *Signed, si *signerInfo) error {
	if si.cert == nil {
		return &verifyError{ErrNoSigner, fmt.Sprintf("the signer certificate is not embedded: the signature names %s, which is not among the %d embedded certificates", si.describe(), len(s.Certificates))}
	}
	h, ok := digestHash(si.digest.Algorithm)
	if !ok {
		return fmt.Errorf("unsupported digest algorithm %s", si.digest.Algorithm)
	}
	alg, err := signatureAlgorithm(si)
	if err != nil {
		return err
	}
	if si.signedAttrs == nil {
		// Without signed attributes the signature covers the content itself,
		// so a modified content and a bad signature look the same.
		if err := si.cert.CheckSignature(alg, s.Content, si.signature); err != nil {
			return &verifyError{ErrBadSignature, ErrBadSignature.Error() + " (the signature covers the content directly, so the content may also have been modified)"}
		}
		return nil
	}

	ct := si.attr(oidAttrContentType)
	var ctOID asn1.ObjectIdentifier
	if ct == nil {
		return errors.New("the signed attributes have no content-type attribute")
	}
	if _, err := asn1.Unmarshal(ct.FullBytes, &ctOID); err != nil || !ctOID.Equal(s.eContentType) {
		return fmt.Errorf("the signed content-type attribute does not match the content type %s", s.eContentType)
	}
	md := si.attr(oidAttrMessageDigest)
	var want []byte
	if md == nil {
		return errors.New("the signed attributes have no message-digest attribute")
	}
	if _, err := asn1.Unmarshal(md.FullBytes, &want); err != nil {
		return fmt.Errorf("malformed message-digest attribute: %v", err)
	}
	hh := h.New()
	hh.Write(s.Content)
	if subtle.ConstantTimeCompare(hh.Sum(nil), want) != 1 {
		return &verifyError{ErrContentModified, ErrContentModified.Error()}
	}
	if err := si.cert.CheckSignature(alg, si.signedAttrs, si.signature); err != nil {
		return &verifyError{ErrBadSignature, ErrBadSignature.Error()}
	}
	return nil
}

// checkValidity reports a signer certificate outside its validity period.
func checkValidity(c *x509.Certificate, now time.Time) error {
	switch {
	case now.After(c.NotAfter):
		return &verifyError{ErrSignerExpired, fmt.Sprintf("signer certificate expired on %s (%q; checked at %s)", formatDate(c.NotAfter), c.Subject.String(), formatDate(now))}
	case now.Before(c.NotBefore):
		return &verifyError{ErrSignerExpired, fmt.Sprintf("signer certificate is not valid until %s (%q; checked at %s)", formatDate(c.NotBefore), c.Subject.String(), formatDate(now))}
	}
	return nil
}

// verifyChain builds chains from the signer to opts.Roots and, if asked, to
// the system roots.
func verifyChain(leaf *x509.Certificate, intermediates *x509.CertPool, opts VerifyOptions, now time.Time) ([][]*x509.Certificate, error) {
	vo := x509.VerifyOptions{
		Intermediates: intermediates,
		CurrentTime:   now,
		// Profile signers are TLS, S/MIME or code-signing certificates;
		// devices do not require a particular extended key usage.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
	var errs []string
	if opts.Roots != nil {
		vo.Roots = opts.Roots
		chains, err := leaf.Verify(vo)
		if err == nil {
			return chains, nil
		}
		errs = append(errs, "signer certificate does not chain to the given CA: "+err.Error())
	}
	if opts.SystemRoots {
		vo.Roots = nil // the platform verifier and system roots
		chains, err := leaf.Verify(vo)
		if err == nil {
			return chains, nil
		}
		errs = append(errs, "signer certificate does not chain to a root trusted by the system: "+err.Error())
	}
	msg := errs[0]
	if len(errs) > 1 {
		msg += "; " + errs[1]
	}
	return nil, &verifyError{ErrUntrusted, msg}
}

// upperFirst capitalises the first letter of an ASCII sentence.
func upperFirst(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
