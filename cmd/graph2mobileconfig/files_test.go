package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/batch"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// fileWorld is a folder of inputs and profiles for the file-handling tests:
// an export with a shared secret (psk.json), one without (eap.json), their
// profiles, plain and signed, and a signer.
type fileWorld struct {
	dir                    string
	psk, eap               string // exports
	pskProfile, eapProfile string // plain profiles
	pskSigned, eapSigned   string
	signFlags              []string
	eapArgs                []string
}

func newFileWorld(t *testing.T) *fileWorld {
	t.Helper()
	w := &fileWorld{dir: t.TempDir()}
	path := func(name string) string { return filepath.Join(w.dir, name) }
	w.psk = writeOrFail(t, path("psk.json"), readOrFail(t, repoPath("fixtures", "psk-ondemand", "input.json")))
	w.eap = writeOrFail(t, path("eap.json"), readOrFail(t, repoPath("fixtures", "eap-only", "input.json")))
	w.eapArgs = fixtureArgs(t, fixtureDir("eap-only"), "")
	f := newSignerFiles(t, testpki.ECDSAP256, testpki.Options{})
	w.signFlags = f.flags()

	w.pskProfile, w.eapProfile = path("psk.mobileconfig"), path("eap.mobileconfig")
	w.pskSigned, w.eapSigned = path("psk-signed.mobileconfig"), path("eap-signed.mobileconfig")
	for _, args := range [][]string{
		{"compile", w.psk, "-o", w.pskProfile},
		append([]string{"compile", w.eap, "-o", w.eapProfile}, w.eapArgs...),
		append([]string{"sign", w.pskProfile, "-o", w.pskSigned}, w.signFlags...),
		append([]string{"sign", w.eapProfile, "-o", w.eapSigned}, w.signFlags...),
	} {
		if r := runCLI(t, nil, nil, args...); r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	return w
}

// noTempFiles fails if dir holds a temporary file of an atomic write.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind in %s: %s", dir, e.Name())
		}
	}
}

// wantProfile fails unless path is a regular file holding a profile,
// signed or not.
func wantProfile(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() {
		t.Fatalf("%s is not a regular file (mode %v)", path, fi.Mode())
	}
	data := readOrFail(t, path)
	if signing.IsCMS(data) {
		s, err := signing.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		data = s.Content
	}
	if _, _, err := plistout.Decode(data); err != nil {
		t.Fatalf("%s is not a profile: %v", path, err)
	}
}

// TestOutputsNeverReplaceTheInput gives, as the output, the input file
// under its own name, another spelling of it, and a hard link to it: every
// command refuses, exits 1 and leaves the input as it was.
func TestOutputsNeverReplaceTheInput(t *testing.T) {
	w := newFileWorld(t)
	sub := filepath.Join(w.dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(w.dir, "hard-link.json")
	if err := os.Link(w.psk, hard); err != nil {
		t.Skipf("hard links: %v", err)
	}
	outDir := filepath.Join(t.TempDir(), "profiles")
	tests := []struct {
		name  string
		input string // the file that must not change
		args  []string
	}{
		{"compile -o the input", w.psk, []string{"compile", w.psk, "-o", w.psk}},
		{"compile -o another spelling of the input", w.psk, []string{"compile", w.psk, "-o", filepath.Join(sub, "..", "psk.json")}},
		{"compile -o a hard link to the input", w.psk, []string{"compile", w.psk, "-o", hard}},
		{"compile -o the input, forced", w.psk, []string{"compile", w.psk, "-o", w.psk, "--force"}},
		{"sign -o the input", w.pskProfile, append([]string{"sign", w.pskProfile, "-o", w.pskProfile}, w.signFlags...)},
		{"sign --resign -o the input", w.pskSigned, append([]string{"sign", w.pskSigned, "-o", w.pskSigned, "--resign"}, w.signFlags...)},
		{"unsign -o the input", w.pskSigned, []string{"unsign", w.pskSigned, "-o", w.pskSigned}},
		{"mdm-command -o the input", w.pskSigned, []string{"mdm-command", w.pskSigned, "-o", w.pskSigned}},
		{"batch --report the input", w.psk, []string{"batch", w.psk, w.eap, "--out-dir", outDir, "--report", w.psk}},
		{"batch --report an input in an input folder", w.eap, []string{"batch", w.dir, "--out-dir", outDir, "--report", w.eap}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := readOrFail(t, tt.input)
			r := runCLI(t, nil, nil, tt.args...)
			if r.code != exitError {
				t.Errorf("exit status %d, want %d\n%s", r.code, exitError, r.stderr)
			}
			wantSubstrings(t, "stderr", r.stderr, "refusing to overwrite it")
			if after := readOrFail(t, tt.input); !bytes.Equal(after, before) {
				t.Errorf("%s changed", tt.input)
			}
			noTempFiles(t, w.dir)
			if profiles, _ := filepath.Glob(filepath.Join(outDir, "*")); len(profiles) > 0 {
				t.Errorf("batch wrote %v although its report cannot be written", profiles)
			}
		})
	}
}

// TestBatchReportInInputFolder runs a batch twice with its report inside
// the input folder: the report of the first run is replaced by the second
// (it is not an export, and is not read as one).
func TestBatchReportInInputFolder(t *testing.T) {
	in := t.TempDir()
	writeOrFail(t, filepath.Join(in, "psk.json"), readOrFail(t, repoPath("fixtures", "psk-ondemand", "input.json")))
	report := filepath.Join(in, "report.json")
	for run := 1; run <= 2; run++ {
		r := runCLI(t, nil, nil, "batch", in, "--out-dir", filepath.Join(t.TempDir(), "profiles"), "--report", report, "-q")
		if r.code != exitOK {
			t.Fatalf("run %d: exit status %d\n%s", run, r.code, r.stderr)
		}
		if rep := readReport(t, report); rep.Summary.Compiled != 1 || rep.Summary.Entities != 1 {
			t.Errorf("run %d: summary %+v, want one entity compiled", run, rep.Summary)
		}
	}
}

// TestOutputsNeverFollowSymlinks writes to an output path that is a
// symbolic link: without --force every command refuses and neither the link
// nor the file it points to changes (a dangling link is not followed to
// create its target); with --force the link itself is replaced by the
// output, and the file it pointed to is still unchanged.
func TestOutputsNeverFollowSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	w := newFileWorld(t)
	pskName := batch.OutputName("iOS - Warehouse scanners VPN (PSK)", "9b2d1f70-3e55-4c8a-b0a1-6f4c7e2d9a13")
	tests := []struct {
		name string
		// args are the command's; the output path follows as the
		// last argument (-o, --report) or is named by link.
		args func(out string) []string
		// link is the name of the link in the output folder.
		link string
	}{
		{"compile", func(out string) []string { return []string{"compile", w.psk, "-o", out} }, "out.mobileconfig"},
		{"compile binary", func(out string) []string { return []string{"compile", w.eap, "--plist-format", "binary", "-o", out} }, "out.mobileconfig"},
		{"sign", func(out string) []string {
			return append(append([]string{"sign", w.pskProfile}, w.signFlags...), "-o", out)
		}, "out.mobileconfig"},
		{"unsign", func(out string) []string { return []string{"unsign", w.pskSigned, "-o", out} }, "out.mobileconfig"},
		{"mdm-command", func(out string) []string { return []string{"mdm-command", w.pskSigned, "-o", out} }, "command.plist"},
		{"batch profile", func(out string) []string { return []string{"batch", w.psk, "--out-dir", filepath.Dir(out)} }, pskName},
		{"batch report", func(out string) []string {
			return []string{"batch", w.psk, "--out-dir", filepath.Dir(out), "--report", out}
		}, "report.json"},
	}
	for _, tt := range tests {
		for _, force := range []bool{false, true} {
			name := tt.name
			if force {
				name += " --force"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "out")
				if err := os.Mkdir(out, 0o755); err != nil {
					t.Fatal(err)
				}
				target := writeOrFail(t, filepath.Join(dir, "target"), []byte("the file the link points to\n"))
				link := filepath.Join(out, tt.link)
				if err := os.Symlink(target, link); err != nil {
					t.Fatal(err)
				}
				args := tt.args(link)
				if force {
					args = append(args, "--force")
				}
				r := runCLI(t, nil, nil, args...)
				if got := string(readOrFail(t, target)); got != "the file the link points to\n" {
					t.Errorf("the file the link points to was changed to:\n%.200s", got)
				}
				noTempFiles(t, out)
				if force {
					if r.code != exitOK {
						t.Fatalf("exit status %d, want 0\n%s", r.code, r.stderr)
					}
					if tt.link == "report.json" {
						var rep batch.Report
						if err := json.Unmarshal(readOrFail(t, link), &rep); err != nil {
							t.Errorf("the report does not parse: %v", err)
						}
					} else if tt.name != "mdm-command" {
						wantProfile(t, link)
					}
					if fi, err := os.Lstat(link); err != nil || !fi.Mode().IsRegular() {
						t.Errorf("the link was not replaced by a regular file: %v %v", fi.Mode(), err)
					}
					return
				}
				if r.code != exitError {
					t.Errorf("exit status %d, want %d\n%s", r.code, exitError, r.stderr)
				}
				wantSubstrings(t, "stderr", r.stderr, "symbolic link", "--force")
				if dest, err := os.Readlink(link); err != nil || dest != target {
					t.Errorf("the link was replaced or changed: %q, %v", dest, err)
				}
			})
		}
	}

	t.Run("dangling link", func(t *testing.T) {
		dir := t.TempDir()
		link := filepath.Join(dir, "out.mobileconfig")
		nowhere := filepath.Join(dir, "nowhere")
		if err := os.Symlink(nowhere, link); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, nil, nil, "compile", w.psk, "-o", link)
		if r.code != exitError {
			t.Errorf("exit status %d, want %d\n%s", r.code, exitError, r.stderr)
		}
		if _, err := os.Lstat(nowhere); err == nil {
			t.Errorf("the output was written through the dangling link to %s", nowhere)
		}
		noTempFiles(t, dir)
	})
}

// TestOutputModes checks the mode of every output: 0600 when it holds an
// unencrypted secret (a shared secret, an identity and its password), 0644
// otherwise, whatever the mode of a file it replaces.
func TestOutputModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes on Windows")
	}
	w := newFileWorld(t)
	device := newDeviceFiles(t, testpki.RSA2048)
	pki := testPKI(t)
	tests := []struct {
		name string
		args func(out string) []string
		// existing, when not zero, is the mode of a file already at the
		// output path.
		existing os.FileMode
		want     os.FileMode
	}{
		{"compile shared secret", func(out string) []string { return []string{"compile", w.psk, "-o", out} }, 0, 0o600},
		{"compile shared secret over a 0644 file", func(out string) []string { return []string{"compile", w.psk, "-o", out} }, 0o644, 0o600},
		{"compile shared secret, binary", func(out string) []string { return []string{"compile", w.psk, "--plist-format", "binary", "-o", out} }, 0, 0o600},
		{"compile shared secret, signed", func(out string) []string { return append([]string{"compile", w.psk, "-o", out}, w.signFlags...) }, 0, 0o600},
		{"compile shared secret, encrypted", func(out string) []string { return []string{"compile", w.psk, "--encrypt-to", device.cert, "-o", out} }, 0, 0o644},
		{"compile identity", func(out string) []string {
			return append([]string{"compile", repoPath("fixtures", "machine-cert", "input.json"), "-o", out}, fixtureArgs(t, fixtureDir("machine-cert"), pki)...)
		}, 0, 0o600},
		{"compile EAP only", func(out string) []string { return append([]string{"compile", w.eap, "-o", out}, w.eapArgs...) }, 0, 0o644},
		{"compile EAP only over a 0600 file", func(out string) []string { return append([]string{"compile", w.eap, "-o", out}, w.eapArgs...) }, 0o600, 0o644},
		{"sign shared secret", func(out string) []string { return append([]string{"sign", w.pskProfile, "-o", out}, w.signFlags...) }, 0, 0o600},
		{"sign shared secret, encrypted", func(out string) []string {
			return append([]string{"sign", w.pskProfile, "--encrypt-to", device.cert, "-o", out}, w.signFlags...)
		}, 0, 0o644},
		{"sign EAP only", func(out string) []string { return append([]string{"sign", w.eapProfile, "-o", out}, w.signFlags...) }, 0, 0o644},
		{"unsign shared secret", func(out string) []string { return []string{"unsign", w.pskSigned, "-o", out} }, 0, 0o600},
		{"unsign EAP only", func(out string) []string { return []string{"unsign", w.eapSigned, "-o", out} }, 0, 0o644},
		{"mdm-command EAP only", func(out string) []string { return []string{"mdm-command", w.eapSigned, "-o", out} }, 0, 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			if tt.existing != 0 {
				if err := os.WriteFile(out, []byte("old"), tt.existing); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(out, tt.existing); err != nil {
					t.Fatal(err)
				}
			}
			if r := runCLI(t, nil, nil, tt.args(out)...); r.code != exitOK {
				t.Fatalf("exit status %d\n%s", r.code, r.stderr)
			}
			fi, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != tt.want {
				t.Errorf("mode %04o, want %04o", got, tt.want)
			}
		})
	}

	t.Run("batch", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "profiles")
		report := filepath.Join(t.TempDir(), "report.json")
		r := runCLI(t, nil, nil, "batch", w.psk, w.eap, "--out-dir", out, "--report", report, "--var", "username=unused")
		if r.code != exitOK {
			t.Fatalf("exit status %d\n%s", r.code, r.stderr)
		}
		rep := readReport(t, report)
		want := map[string]os.FileMode{w.psk: 0o600, w.eap: 0o644}
		for _, e := range rep.Entries {
			fi, err := os.Stat(e.Output)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want[e.Source] {
				t.Errorf("%s: mode %04o, want %04o", e.Output, got, want[e.Source])
			}
		}
		if len(rep.Entries) != 2 {
			t.Errorf("%d entries, want 2", len(rep.Entries))
		}
		if fi, err := os.Stat(report); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("report mode %v (%v), want 0644", fi.Mode().Perm(), err)
		}
	})
}

// TestFailedCommandsWriteNothing checks that a command that fails leaves
// neither its output nor a temporary file in the output folder, and does
// not touch a file already there.
func TestFailedCommandsWriteNothing(t *testing.T) {
	w := newFileWorld(t)
	broken := writeOrFail(t, filepath.Join(w.dir, "broken.json"), []byte(`{"value": [{"id": `))
	invalid := writeOrFail(t, filepath.Join(w.dir, "invalid.json"), bytes.Replace(readOrFail(t, w.psk), []byte(`"deadPeerDetectionRate": "high"`), []byte(`"deadPeerDetectionRate": "sometimes"`), 1))
	wrong := writeOrFail(t, filepath.Join(w.dir, "wrong.pass"), []byte("wrong\n"))
	f := newSignerFiles(t, testpki.RSA2048, testpki.Options{})
	encKey := testpki.WritePEMKey(t, filepath.Join(w.dir, "signer-enc.key"), f.leaf.Key, testpki.EncryptedPKCS8, []byte("right"))
	tests := []struct {
		name string
		args func(out string) []string
	}{
		{"compile broken export", func(out string) []string { return []string{"compile", broken, "-o", out} }},
		{"compile invalid export", func(out string) []string { return []string{"compile", invalid, "-o", out} }},
		{"compile warnings, strict", func(out string) []string { return []string{"compile", w.psk, "-o", out, "--strict"} }},
		{"compile wrong signer password", func(out string) []string {
			return []string{"compile", w.psk, "-o", out, "--sign-cert", f.cert, "--sign-key", encKey, "--sign-password-file", wrong}
		}},
		{"sign wrong signer password", func(out string) []string {
			return []string{"sign", w.pskProfile, "-o", out, "--sign-cert", f.cert, "--sign-key", encKey, "--sign-password-file", wrong}
		}},
		{"sign not a profile", func(out string) []string { return append([]string{"sign", w.psk, "-o", out}, w.signFlags...) }},
		{"unsign not signed", func(out string) []string { return []string{"unsign", w.pskProfile, "-o", out} }},
		{"mdm-command not a profile", func(out string) []string { return []string{"mdm-command", w.psk, "-o", out} }},
	}
	for _, tt := range tests {
		for _, existing := range []bool{false, true} {
			name := tt.name
			if existing {
				name += ", over an existing file"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "out.mobileconfig")
				if existing {
					writeOrFail(t, out, []byte("from an earlier run\n"))
				}
				r := runCLI(t, nil, nil, tt.args(out)...)
				if r.code != exitError {
					t.Errorf("exit status %d, want %d\n%s", r.code, exitError, r.stderr)
				}
				if existing {
					if got := string(readOrFail(t, out)); got != "from an earlier run\n" {
						t.Errorf("the existing output was replaced:\n%.200s", got)
					}
					noTempFiles(t, dir)
					return
				}
				wantNoOutputFile(t, out)
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("the output folder holds %s", entries[0].Name())
				}
			})
		}
	}

	t.Run("compile to a folder", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "folder")
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, nil, nil, "compile", w.psk, "-o", out)
		if r.code != exitError {
			t.Errorf("exit status %d, want %d\n%s", r.code, exitError, r.stderr)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("the output folder holds %d entries, want only the folder", len(entries))
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("something was written into the folder: %s", entries[0].Name())
		}
	})

	t.Run("batch of broken exports", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "profiles")
		r := runCLI(t, nil, nil, "batch", broken, "--out-dir", out)
		if r.code != exitError {
			t.Errorf("exit status %d, want %d\n%s", r.code, exitError, r.stderr)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("the output folder holds %s", entries[0].Name())
		}
	})
}

// TestLoosePermissionWarnings gives key, identity and password files that
// other users can read: each is named in a warning on standard error. The
// same files with mode 0600 give no warning.
func TestLoosePermissionWarnings(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes on Windows")
	}
	w := newFileWorld(t)
	pki := testPKI(t)
	f := newSignerFiles(t, testpki.RSA2048, testpki.Options{})
	signerPass := writeOrFail(t, filepath.Join(w.dir, "signer.pass"), []byte("right\n"))
	encKey := testpki.WritePEMKey(t, filepath.Join(w.dir, "signer-enc.key"), f.leaf.Key, testpki.EncryptedPKCS8, []byte("right"))
	apiKey := writeOrFail(t, filepath.Join(w.dir, "api.key"), []byte("key\n"))
	machineCert := repoPath("fixtures", "machine-cert", "input.json")
	p12, p12Pass := filepath.Join(pki, "client.p12"), filepath.Join(pki, "client.p12.pass")

	tests := []struct {
		name string
		file string // made readable by others
		what string // how the warning names it
		args []string
		want int
	}{
		{"--sign-key", f.key, "the signing key", append([]string{"compile", w.psk, "-o", filepath.Join(t.TempDir(), "out")}, f.flags()...), exitOK},
		{"--sign-password-file", signerPass, "the password file",
			[]string{"sign", w.pskProfile, "-o", filepath.Join(t.TempDir(), "out"), "--sign-cert", f.cert, "--sign-key", encKey, "--sign-password-file", signerPass}, exitOK},
		{"--sign-p12", p12, "the signing identity", []string{"sign", w.pskProfile, "-o", filepath.Join(t.TempDir(), "out"), "--sign-p12", p12, "--sign-password-file", p12Pass}, exitOK},
		{"--identity", p12, "the identity file", []string{"compile", machineCert, "-o", filepath.Join(t.TempDir(), "out"), "--identity", p12, "--identity-password-file", p12Pass}, exitOK},
		{"--identity-password-file", p12Pass, "the password file", []string{"compile", machineCert, "-o", filepath.Join(t.TempDir(), "out"), "--identity", p12, "--identity-password-file", p12Pass}, exitOK},
		{"batch --identity-password-file", p12Pass, "the password file", []string{"batch", machineCert, "--out-dir", t.TempDir(), "--identity", p12, "--identity-password-file", p12Pass, "-q"}, exitOK},
		{"deploy --api-key-file", apiKey, "the API key file", []string{"deploy", "--nanomdm-url", "http://" + closedPort(t), "--udid", "X", "--api-key-file", apiKey, w.pskSigned}, exitError},
	}
	for _, tt := range tests {
		for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o600} {
			t.Run(tt.name+" "+mode.String(), func(t *testing.T) {
				if err := os.Chmod(tt.file, mode); err != nil {
					t.Fatal(err)
				}
				defer os.Chmod(tt.file, 0o600)
				r := runCLI(t, nil, nil, tt.args...)
				if r.code != tt.want {
					t.Errorf("exit status %d, want %d\n%s", r.code, tt.want, r.stderr)
				}
				warning := "graph2mobileconfig: warning: " + tt.what + " " + tt.file + " is readable by group or others"
				switch got := strings.Contains(r.stderr, warning); {
				case mode == 0o600 && got:
					t.Errorf("a warning for a 0600 file:\n%s", r.stderr)
				case mode != 0o600 && !got:
					t.Errorf("no warning %q for mode %04o:\n%s", warning, mode.Perm(), r.stderr)
				}
			})
		}
	}
}
