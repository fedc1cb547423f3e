package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

func TestUnsign(t *testing.T) {
	f := newSignerFiles(t, testpki.ECDSAP256, testpki.Options{})
	dir := t.TempDir()
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	signed := compileFixture(t, "psk-ondemand", filepath.Join(dir, "signed.mobileconfig"), f.flags()...)
	binPlain := compileFixture(t, "proxy-pac", filepath.Join(dir, "bin-plain.mobileconfig"))
	binSigned := compileFixture(t, "proxy-pac", filepath.Join(dir, "bin-signed.mobileconfig"), f.flags()...)
	tampered := writeOrFail(t, filepath.Join(dir, "tampered.mobileconfig"),
		bytes.Replace(readOrFail(t, signed), []byte("203.0.113.10"), []byte("203.0.113.99"), 1))
	cases := []struct {
		name    string
		input   string
		want    []byte
		mode    os.FileMode
		warning string
	}{
		// The real profile's signer has expired; unsign does not mind.
		{"real signed profile", realSigned, readOrFail(t, realUnsigned), 0o644, ""},
		{"compiled XML with a shared secret", signed, readOrFail(t, plain), 0o600, ""},
		{"compiled binary", binSigned, readOrFail(t, binPlain), 0o600, ""},
		{"modified after signing", tampered, bytes.Replace(readOrFail(t, plain), []byte("203.0.113.10"), []byte("203.0.113.99"), 1), 0o600,
			"warning: " + tampered + ": the signature does not verify (content does not match the signed digest"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.mobileconfig")
			r := runCLI(t, nil, nil, "unsign", c.input, "-o", out)
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			if !bytes.Equal(readOrFail(t, out), c.want) {
				t.Error("unsign output is not byte-identical to the signed content")
			}
			if fi, _ := os.Stat(out); fi.Mode().Perm() != c.mode {
				t.Errorf("mode %04o, want %04o", fi.Mode().Perm(), c.mode)
			}
			if c.warning == "" && r.stderr != "" {
				t.Errorf("unexpected stderr: %s", r.stderr)
			}
			if c.warning != "" {
				wantSubstrings(t, "stderr", r.stderr, c.warning)
			}

			r = runCLI(t, nil, nil, "unsign", c.input, "-o", "-")
			if r.code != exitOK || r.stdout != string(c.want) {
				t.Errorf("unsign -o -: exit %d, stdout equal %v", r.code, r.stdout == string(c.want))
			}
		})
	}
}

func TestUnsignFailures(t *testing.T) {
	dir := t.TempDir()
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	binary := compileFixture(t, "proxy-pac", filepath.Join(dir, "binary.mobileconfig"))
	truncated := writeOrFail(t, filepath.Join(dir, "truncated.mobileconfig"), readOrFail(t, realSigned)[:600])
	garbage := writeOrFail(t, filepath.Join(dir, "garbage"), []byte("hello"))
	out := filepath.Join(dir, "out.mobileconfig")
	signedCopy := writeOrFail(t, filepath.Join(dir, "signed.mobileconfig"), readOrFail(t, realSigned))
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unsigned XML", []string{plain, "-o", out}, exitError, plain + " is not signed: it is a plain XML property list already"},
		{"unsigned binary", []string{binary, "-o", out}, exitError, binary + " is not signed: it is a plain binary property list already"},
		{"not a profile", []string{garbage, "-o", out}, exitError, "is not signed: it is not CMS, and the file is not a configuration profile: "},
		{"truncated", []string{truncated, "-o", out}, exitError, truncated + ": it is neither a property list nor valid CMS: not a valid CMS structure"},
		{"output is the input", []string{signedCopy, "-o", signedCopy}, exitError, "is the input file; refusing to overwrite it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := readOrFail(t, signedCopy)
			r := runCLI(t, nil, nil, append([]string{"unsign"}, c.args...)...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, r.stderr)
			}
			wantSubstrings(t, "stderr", r.stderr, c.want)
			wantNoOutputFile(t, out)
			if !bytes.Equal(readOrFail(t, signedCopy), before) {
				t.Fatal("the input was changed")
			}
		})
	}
}
