package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDefaultOutputs: compile, sign, unsign and mdm-command follow one rule
// without -o: a file in the current folder named after the input, said on
// standard error; standard input needs -o.
func TestDefaultOutputs(t *testing.T) {
	pki := testPKI(t)
	input, err := filepath.Abs(repoPath("fixtures", "psk-ondemand", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	expected := repoPathAbs(t, "fixtures", "psk-ondemand", "expected.mobileconfig")
	dir := t.TempDir()
	t.Chdir(dir)
	writeOrFail(t, "corp.json", readOrFail(t, input))
	signer := []string{"--sign-p12", filepath.Join(pki, "client.p12"), "--sign-password-file", filepath.Join(pki, "client.p12.pass")}
	steps := []struct {
		args   []string
		output string
		mode   os.FileMode
	}{
		{[]string{"compile", "corp.json", "--identifier-prefix", "com.contoso.warehouse"}, "corp.mobileconfig", 0o600},
		{append([]string{"sign", "corp.mobileconfig"}, signer...), "corp.signed.mobileconfig", 0o600}, // the shared secret
		{[]string{"unsign", "corp.signed.mobileconfig"}, "corp.unsigned.mobileconfig", 0o600},
		{append([]string{"sign", "corp.unsigned.mobileconfig"}, signer...), "corp.signed.mobileconfig", 0o600},
		{[]string{"mdm-command", "corp.signed.mobileconfig"}, "corp.install.plist", 0o600},
		{[]string{"mdm-command", "corp.signed.mobileconfig", "--mdm", "micromdm", "--udid", "DEVICE-1"}, "corp.install.json", 0o600},
		{[]string{"mdm-command", "--remove", "com.contoso.warehouse.vpn"}, "com.contoso.warehouse.vpn.remove.plist", 0o644},
	}
	for _, s := range steps {
		r := runCLI(t, nil, nil, s.args...)
		if r.code != exitOK || r.stdout != "" {
			t.Fatalf("%q: exit %d, stdout %q\n%s", s.args, r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, "graph2mobileconfig: wrote "+s.output+" (no -o given)\n") {
			t.Errorf("%q does not say where it wrote:\n%s", s.args, r.stderr)
		}
		fi, err := os.Stat(s.output)
		if err != nil {
			t.Fatalf("%q: %v", s.args, err)
		}
		if fi.Mode().Perm() != s.mode {
			t.Errorf("%s: mode %v, want %v", s.output, fi.Mode().Perm(), s.mode)
		}
	}
	if a, b := readOrFail(t, "corp.mobileconfig"), readOrFail(t, "corp.unsigned.mobileconfig"); !bytes.Equal(a, b) {
		t.Error("unsign did not give back the compiled profile")
	}
	if got := readOrFail(t, filepath.Join(dir, "corp.mobileconfig")); !bytes.Equal(got, readOrFail(t, expected)) {
		t.Error("compile without -o wrote another profile than with -o")
	}

	for _, args := range [][]string{{"compile", "-"}, {"sign", "-"}, {"unsign", "-"}, {"mdm-command", "-"}} {
		r := runCLI(t, strings.NewReader(""), nil, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, args[0]+" reads standard input: give -o FILE (or -o - for standard output)") {
			t.Errorf("%q: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	// -o - is standard output, and nothing is said about a file.
	r := runCLI(t, nil, nil, "unsign", "corp.signed.mobileconfig", "-o", "-")
	if r.code != exitOK || r.stdout != string(readOrFail(t, "corp.mobileconfig")) || strings.Contains(r.stderr, "wrote") {
		t.Errorf("unsign -o -: exit %d\n%s", r.code, r.stderr)
	}
}

// repoPathAbs is repoPath made absolute, for tests that leave the package
// folder.
func repoPathAbs(t *testing.T, parts ...string) string {
	t.Helper()
	p, err := filepath.Abs(repoPath(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDefaultIdentifierPrefixNote: a note says when the default identifier
// prefix is used, since changing it later makes devices install a second
// copy; once per run.
func TestDefaultIdentifierPrefixNote(t *testing.T) {
	input := repoPath("fixtures", "psk-ondemand", "input.json")
	const note = "graph2mobileconfig: note: the default --identifier-prefix graph2mobileconfig is used; give your own (com.contoso.vpn) before deploying and keep it: changing it later makes devices install a second copy\n"
	dir := t.TempDir()
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"compile", input, "-o", filepath.Join(dir, "a.mobileconfig")}, 1},
		{[]string{"compile", input, "-o", filepath.Join(dir, "b.mobileconfig"), "--identifier-prefix", "com.contoso.vpn"}, 0},
		{[]string{"compile", input, "-o", filepath.Join(dir, "c.mobileconfig"), "--identifier-prefix", "graph2mobileconfig"}, 0},
		{[]string{"batch", input, input, "--out-dir", filepath.Join(dir, "d")}, 1},
		{[]string{"batch", input, "--out-dir", filepath.Join(dir, "e"), "--identifier-prefix", "com.contoso.vpn"}, 0},
		{[]string{"server-config", input, "--split-networks", "10.0.0.0/8"}, 1},
		{[]string{"server-config", repoPath("fixtures", "psk-ondemand", "expected.mobileconfig"), "--split-networks", "10.0.0.0/8"}, 0}, // a profile: nothing is compiled
	}
	for _, tt := range tests {
		r := runCLI(t, nil, nil, tt.args...)
		if r.code != exitOK {
			t.Fatalf("%q: exit %d\n%s", tt.args, r.code, r.stderr)
		}
		if n := strings.Count(r.stderr, note); n != tt.want {
			t.Errorf("%q: the note %d times, want %d\n%s", tt.args, n, tt.want, r.stderr)
		}
	}
}
