package main

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// certDateFormat is how certificate dates and signing times are printed, the
// same as in the signing package's messages.
const certDateFormat = "2006-01-02 15:04:05 UTC"

func formatCertDate(t time.Time) string { return t.UTC().Format(certDateFormat) }

// Reasons a verification fails, as the "failure" field of verify --json
// gives them.
const (
	failNotSigned       = "not-signed"
	failMalformed       = "malformed"
	failContentModified = "content-modified"
	failBadSignature    = "bad-signature"
	failNoSigner        = "no-signer"
	failUntrusted       = "untrusted"
	failSignerExpired   = "signer-expired"
	failNotProfile      = "not-a-profile"
	failInvalid         = "invalid"
)

func verifyCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "check the signature, the content and optionally the trust chain of a signed profile",
		ArgsUsage: "FILE|-",
		Description: "verify prints who signed FILE (subject, issuer, validity, digest algorithm, embedded\n" +
			"certificates, signing time) and checks that the signature is valid, that the content was not\n" +
			"modified after signing and that it is a configuration profile (a property list dictionary with\n" +
			"PayloadType Configuration). With --roots or --system-roots it also checks that the signer is valid\n" +
			"now and chains to a trusted root; without them the chain is not checked, which the output says.\n\n" +
			"Exit status: 0 when every check that was asked for passes, 1 otherwise (the reason is printed:\n" +
			"not signed, content modified, bad signature, untrusted chain, signer expired, not a profile).\n" +
			"Without --roots or --system-roots, a signer certificate that has expired or is not yet valid gives\n" +
			"a warning but exit status 0: the signature itself is still valid, but devices treat the profile\n" +
			"as unsigned.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "roots", Usage: "trusted root certificate `FILE` (PEM or DER) the signer must chain to; repeatable"},
			&cli.BoolFlag{Name: "system-roots", Usage: "also trust the root certificates of the operating system"},
			&cli.BoolFlag{Name: "json", Usage: "print a machine-readable report on standard output instead of text"},
			maxInputSizeFlag("inputs"),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("verify takes exactly one FILE (or - for standard input); got %d", c.NArg())
			}
			input := c.Args().First()
			opts := profile.Options{MaxSize: c.Int64("max-input-size"), SystemRoots: c.Bool("system-roots")}
			if paths := c.StringSlice("roots"); len(paths) > 0 {
				pool, err := loadTrustedRoots(e, paths)
				if err != nil {
					return err
				}
				opts.Roots = pool
			}
			data, err := readInput(e, input, c.Int64("max-input-size"))
			if err != nil {
				return err
			}
			rep := verifyProfile(data, opts)
			rep.File = input
			if c.Bool("json") {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				for _, w := range rep.Warnings {
					fmt.Fprintf(e.stderr, "graph2mobileconfig: %s: %s\n", displayName(input), w.String())
				}
				rep.printText(e.stdout, time.Now())
			}
			if !rep.OK {
				if !c.Bool("json") {
					fmt.Fprintf(e.stderr, "graph2mobileconfig: %s: %s\n", displayName(input), rep.Error)
				}
				return failure{}
			}
			return nil
		},
	}
}

// loadTrustedRoots reads the --roots files of verify into a pool.
func loadTrustedRoots(e env, paths []string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for _, path := range paths {
		data, err := readCredential(e, path, "the --roots file")
		if err != nil {
			return nil, fmt.Errorf("--roots: cannot read %s: %w", path, err)
		}
		certs, err := signing.ParseCertificates(data)
		if err != nil {
			return nil, fmt.Errorf("--roots %s: %w", path, err)
		}
		for _, c := range certs {
			pool.AddCert(c)
		}
	}
	return pool, nil
}

// verifyReport is what verify found; verify --json prints it.
type verifyReport struct {
	File string `json:"file"`
	// OK is true when every check passed (exit status 0).
	OK     bool `json:"ok"`
	Signed bool `json:"signed"`
	// Signature describes the SignedData; nil when the file is not one.
	Signature *signatureReport `json:"signature,omitempty"`
	// ChainChecked is true when --roots or --system-roots was given.
	ChainChecked  bool       `json:"chainChecked"`
	ChainVerified bool       `json:"chainVerified"`
	Chains        [][]string `json:"chains,omitempty"`
	// Content describes the embedded content.
	Content  *contentReport `json:"content,omitempty"`
	Warnings diag.List      `json:"warnings"`
	// Failure is a stable code for the first check that failed (see the
	// fail* constants), and Error says what failed in a sentence.
	Failure string `json:"failure,omitempty"`
	Error   string `json:"error,omitempty"`
}

// signatureReport describes a CMS SignedData: the signer, its algorithms
// and the certificates embedded with it.
type signatureReport = profile.SignatureReport

// contentReport describes what a signed file holds.
type contentReport struct {
	// Profile is true when the content is a property list dictionary with
	// PayloadType Configuration.
	Profile     bool   `json:"profile"`
	Format      string `json:"format,omitempty"`
	PayloadType string `json:"payloadType,omitempty"`
	Identifier  string `json:"identifier,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	Encrypted   bool   `json:"encrypted"`
	Size        int    `json:"size"`
	// Problem says why the content is not a profile.
	Problem string `json:"problem,omitempty"`
}

// describeSignedContent describes the content of a signed profile that
// profile.Open read, readErr being its error.
func describeSignedContent(p *profile.Profile, readErr error) *contentReport {
	r := &contentReport{Size: len(p.Content)}
	if readErr != nil {
		// The property list's own error says it all.
		var pe *plistout.Error
		if r.Problem = readErr.Error(); errors.As(readErr, &pe) {
			r.Problem = pe.Error()
		}
		return r
	}
	r.Format, r.PayloadType, r.Identifier, r.DisplayName = p.Format.String(), p.Type, p.Identifier, p.DisplayName
	r.Encrypted = p.Encryption != nil
	if err := p.CheckConfiguration(); err != nil {
		r.Problem = err.Error()
		return r
	}
	r.Profile = true
	return r
}

// verifyProfile runs every check of verify on data.
func verifyProfile(data []byte, opts profile.Options) *verifyReport {
	rep := &verifyReport{ChainChecked: opts.Roots != nil || opts.SystemRoots, Warnings: diag.List{}}
	p, err := profile.Open(data, opts)
	if p == nil || p.Signature == nil {
		rep.Failure = failNotSigned
		switch {
		case err == nil:
			rep.Error = fmt.Sprintf("not signed: it is a plain %s property list, not a CMS-signed profile (sign it with graph2mobileconfig sign)", formatName(p.Format.String()))
		case errors.Is(err, profile.ErrMalformedCMS):
			rep.Failure, rep.Error = failMalformed, "not a valid signed profile: "+err.Error()
		default:
			rep.Error = "not signed: it is not CMS, and " + err.Error()
		}
		return rep
	}
	sig := p.Signature
	rep.Signed = true
	rep.Signature = sig.Report()
	rep.Warnings = append(rep.Warnings, sig.Warnings...)
	rep.ChainVerified = sig.ChainVerified
	for _, chain := range sig.Chains {
		var names []string
		for _, c := range chain {
			names = append(names, c.Subject.String())
		}
		rep.Chains = append(rep.Chains, names)
	}
	if !errors.Is(err, profile.ErrDetached) {
		rep.Content = describeSignedContent(p, err)
	}
	switch {
	case sig.Problem != nil:
		rep.Failure, rep.Error = verifyFailure(sig.Problem), "verification failed: "+sig.Problem.Error()
		if !sig.Valid {
			rep.Signature.Problem = sig.Problem.Error()
		}
	case rep.Content == nil:
		rep.Failure, rep.Error = failMalformed, "verification failed: the signed content is not embedded"
	case !rep.Content.Profile:
		rep.Failure, rep.Error = failNotProfile, "verification failed: the signature is valid, but the signed content is not a configuration profile: "+rep.Content.Problem
	}
	rep.OK = rep.Failure == ""
	return rep
}

// verifyFailure maps a signature's problem to a failure code.
func verifyFailure(err error) string {
	switch {
	case errors.Is(err, signing.ErrContentModified):
		return failContentModified
	case errors.Is(err, signing.ErrBadSignature):
		return failBadSignature
	case errors.Is(err, signing.ErrNoSigner):
		return failNoSigner
	case errors.Is(err, signing.ErrUntrusted):
		return failUntrusted
	case errors.Is(err, signing.ErrSignerExpired):
		return failSignerExpired
	}
	return failInvalid
}

// printText prints the report for people.
func (r *verifyReport) printText(w io.Writer, now time.Time) {
	fmt.Fprintf(w, "%s\n", displayName(r.File))
	if !r.Signed {
		reportField(w, "Signed", "no")
		reportField(w, "Result", "FAILED: "+r.Error)
		return
	}
	sig := r.Signature
	if sig.Valid {
		reportField(w, "Signature", "valid (the content is unmodified)")
	} else {
		reportField(w, "Signature", "NOT VALID: "+sig.Problem)
	}
	printSignerFields(w, sig, now)
	switch {
	case r.ChainVerified && len(r.Chains) > 0:
		reportField(w, "Chain", "trusted: "+strings.Join(r.Chains[0], " → "))
	case r.ChainChecked && (r.Failure == failUntrusted || r.Failure == failSignerExpired):
		reportField(w, "Chain", "NOT TRUSTED: "+strings.TrimPrefix(r.Error, "verification failed: "))
	case r.ChainChecked:
		reportField(w, "Chain", "not checked, because the signature is not valid")
	default:
		reportField(w, "Chain", "not checked: give --roots FILE or --system-roots to check that the signer chains to a trusted root")
	}
	if c := r.Content; c != nil {
		if c.Profile {
			desc := fmt.Sprintf("configuration profile %q (%s), %s property list, %d bytes", c.DisplayName, c.Identifier, formatName(c.Format), c.Size)
			if c.Encrypted {
				desc += ", payloads encrypted"
			}
			reportField(w, "Content", desc)
		} else {
			reportField(w, "Content", "NOT A CONFIGURATION PROFILE: "+c.Problem)
		}
	}
	switch {
	case !r.OK:
		reportField(w, "Result", "FAILED: "+strings.TrimPrefix(r.Error, "verification failed: "))
	case r.ChainVerified:
		reportField(w, "Result", "OK: the signature is valid, the content is an unmodified configuration profile and the signer is trusted")
	default:
		reportField(w, "Result", "OK: the signature is valid and the content is an unmodified configuration profile; the chain was NOT checked")
	}
}

// printSignerFields prints the signer, the algorithms and the embedded
// certificates of a signature; inspect uses it too.
func printSignerFields(w io.Writer, sig *signatureReport, now time.Time) {
	if s := sig.Signer; s != nil {
		reportField(w, "Signer", s.Subject)
		reportField(w, "Issuer", s.Issuer)
		reportField(w, "Not before", formatCertDate(s.NotBefore)+certNotYetValid(*s, now))
		reportField(w, "Not after", formatCertDate(s.NotAfter)+certExpiry(*s, now))
		reportField(w, "Signer key", s.PublicKey)
	} else {
		reportField(w, "Signer", "not embedded (the signer certificate is missing from the file)")
	}
	reportField(w, "Digest", sig.DigestAlgorithm)
	reportField(w, "Algorithm", sig.SignatureAlgorithm)
	if sig.SigningTime != nil {
		reportField(w, "Signing time", formatCertDate(*sig.SigningTime))
	} else {
		reportField(w, "Signing time", "not recorded (no signingTime attribute)")
	}
	fmt.Fprintf(w, "  Embedded certificates (%d):\n", len(sig.Certificates))
	for i, c := range sig.Certificates {
		role := ""
		if sig.Signer != nil && c.SHA256Fingerprint == sig.Signer.SHA256Fingerprint {
			role = " (signer)"
		}
		fmt.Fprintf(w, "    %d. %s%s\n", i+1, c.Subject, role)
		fmt.Fprintf(w, "       issued by %s\n", c.Issuer)
		fmt.Fprintf(w, "       valid %s to %s%s%s\n", formatCertDate(c.NotBefore), formatCertDate(c.NotAfter), certNotYetValid(c, now), certExpiry(c, now))
	}
}

// certExpiry annotates an expired certificate or one that expires within 30
// days.
func certExpiry(c signing.CertificateInfo, now time.Time) string {
	left := c.NotAfter.Sub(now)
	switch {
	case left < 0:
		return fmt.Sprintf(" (EXPIRED %s ago)", dayCount(-left))
	case left < 30*24*time.Hour:
		return fmt.Sprintf(" (expires in %s)", dayCount(left))
	}
	return ""
}

func certNotYetValid(c signing.CertificateInfo, now time.Time) string {
	if now.Before(c.NotBefore) {
		return fmt.Sprintf(" (NOT YET VALID, for another %s)", dayCount(c.NotBefore.Sub(now)))
	}
	return ""
}

func dayCount(d time.Duration) string {
	if n := int(d.Hours() / 24); n != 1 {
		return fmt.Sprintf("%d days", n)
	}
	return "1 day"
}

// reportField prints one "  Label:  value" line of a text report.
func reportField(w io.Writer, label, value string) {
	fmt.Fprintf(w, "  %-14s %s\n", label+":", value)
}
