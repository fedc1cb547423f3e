package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// testPassword is the password of the test PKI's PKCS#12 files.
const testPassword = "test-only-password"

// TestPasswordFromStandardInput: --*-password-file - reads the password from
// standard input, without the newline echo adds.
func TestPasswordFromStandardInput(t *testing.T) {
	pki := testPKI(t)
	dir := t.TempDir()
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	signed := filepath.Join(dir, "signed.mobileconfig")
	r := runCLI(t, strings.NewReader(testPassword+"\n"), nil, "sign", plain, "-o", signed, "--sign-p12", filepath.Join(pki, "client.p12"), "--sign-password-file", "-")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !signing.IsCMS(readOrFail(t, signed)) {
		t.Error("not signed")
	}
	out := filepath.Join(dir, "identity.mobileconfig")
	r = runCLI(t, strings.NewReader(testPassword), nil, "compile", repoPath("fixtures", "machine-cert", "input.json"), "-o", out,
		"--identity", filepath.Join(pki, "client.p12"), "--identity-password-file", "-", "--identifier-prefix", "com.fabrikam.vpn")
	if r.code != exitOK {
		t.Fatalf("--identity-password-file -: exit %d\n%s", r.code, r.stderr)
	}
	r = runCLI(t, strings.NewReader("wrong\n"), nil, "sign", plain, "-o", signed, "--sign-p12", filepath.Join(pki, "client.p12"), "--sign-password-file", "-", "--resign")
	if r.code != exitError || !strings.Contains(r.stderr, "the password is incorrect") || strings.Contains(r.stderr, "wrong") {
		t.Errorf("wrong password on standard input: exit %d\n%s", r.code, r.stderr)
	}
}

// TestPasswordPrompt: a password that is needed and not given is asked for
// on the terminal (askPassword), again after a wrong one, three times at
// most; never when standard input is being read for something else, nor
// when no terminal is there, where the error names the flag and the
// environment variable.
func TestPasswordPrompt(t *testing.T) {
	pki := testPKI(t)
	dir := t.TempDir()
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	p12 := filepath.Join(pki, "client.p12")
	out := filepath.Join(dir, "signed.mobileconfig")

	run := func(stdin string, answers []string, args ...string) (result, []string) {
		var prompts []string
		var stdout, stderr bytes.Buffer
		e := env{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
		e.askPassword = func(prompt string) (string, error) {
			prompts = append(prompts, prompt)
			if len(answers) == 0 {
				return "", errors.New("no more answers")
			}
			a := answers[0]
			answers = answers[1:]
			return a, nil
		}
		code := run(append([]string{"graph2mobileconfig"}, args...), e)
		return result{code: code, stdout: stdout.String(), stderr: stderr.String()}, prompts
	}

	r, prompts := run("", []string{testPassword}, "sign", plain, "-o", out, "--sign-p12", p12)
	if r.code != exitOK || len(prompts) != 1 || prompts[0] != "Password for the --sign-p12 file "+p12+": " {
		t.Fatalf("exit %d, prompts %q\n%s", r.code, prompts, r.stderr)
	}
	r, prompts = run("", []string{"wrong", testPassword}, "sign", plain, "-o", out, "--sign-p12", p12, "--resign")
	if r.code != exitOK || len(prompts) != 2 || !strings.Contains(r.stderr, "the password is incorrect; try again") {
		t.Errorf("a wrong password, then the right one: exit %d, %d prompts\n%s", r.code, len(prompts), r.stderr)
	}
	r, prompts = run("", []string{"a", "b", "c", "d"}, "sign", plain, "-o", out, "--sign-p12", p12, "--resign")
	if r.code != exitError || len(prompts) != 3 {
		t.Errorf("three wrong passwords: exit %d, %d prompts\n%s", r.code, len(prompts), r.stderr)
	}
	// A password file given: never asked.
	r, prompts = run("", nil, "sign", plain, "-o", out, "--sign-p12", p12, "--resign", "--sign-password-file", filepath.Join(pki, "client.p12.pass"))
	if r.code != exitOK || len(prompts) != 0 {
		t.Errorf("with a password file: exit %d, %d prompts\n%s", r.code, len(prompts), r.stderr)
	}
	// Standard input is the profile: no terminal to ask on.
	r, prompts = run(string(readOrFail(t, plain)), []string{testPassword}, "sign", "-", "-o", out, "--sign-p12", p12, "--resign")
	const hint = "give --sign-password-file FILE (- reads standard input) or set GRAPH2MOBILECONFIG_SIGN_PASSWORD"
	if r.code != exitError || len(prompts) != 0 || !strings.Contains(r.stderr, "it is encrypted and no password was given; "+hint) {
		t.Errorf("standard input read for the profile: exit %d, %d prompts\n%s", r.code, len(prompts), r.stderr)
	}
	// No terminal at all.
	r = runCLI(t, nil, nil, "sign", plain, "-o", out, "--sign-p12", p12, "--resign")
	if r.code != exitError || !strings.Contains(r.stderr, hint) {
		t.Errorf("no terminal: exit %d\n%s", r.code, r.stderr)
	}
	r = runCLI(t, nil, nil, "compile", repoPath("fixtures", "machine-cert", "input.json"), "-o", filepath.Join(dir, "x.mobileconfig"), "--identity", p12, "--identifier-prefix", "x.y")
	if r.code != exitError || !strings.Contains(r.stderr, "give --identity-password-file FILE (- reads standard input) or set "+envIdentityPassword) {
		t.Errorf("compile --identity without a password: exit %d\n%s", r.code, r.stderr)
	}
}
