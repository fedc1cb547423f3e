package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	mplist "github.com/micromdm/plist"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

// wantProfileBytes fails unless data is a profile, signed or not.
func wantProfileBytes(t *testing.T, data []byte) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "got")
	writeOrFail(t, p, data)
	wantProfile(t, p)
}

// TestOutputsNeverReplaceReadFiles names, as the output (-o) or the batch
// report, each file a command reads besides its input: keys, identities,
// certificates, password files; by its path, another spelling, a hard
// link and a symbolic link. Every one is refused with exit status 1 and
// left as it was (an earlier version protected only the input, and
// "sign -o signer.p12 --sign-p12 signer.p12" replaced the only copy of a
// key).
func TestOutputsNeverReplaceReadFiles(t *testing.T) {
	w := newFileWorld(t)
	f := newSignerFiles(t, testpki.RSA2048, testpki.Options{})
	pki := testPKI(t)
	p12, p12Pass := filepath.Join(pki, "client.p12"), filepath.Join(pki, "client.p12.pass")
	ca := filepath.Join(pki, "root-ca.pem")
	device := newDeviceFiles(t, testpki.RSA2048)
	signerP12 := writeOrFail(t, filepath.Join(f.dir, "signer.p12"), testpki.PKCS12(t, f.leaf, testpki.P12Modern, "pw"))
	signerPass := writeOrFail(t, filepath.Join(f.dir, "signer.pass"), []byte("pw\n"))
	machineCert := repoPath("fixtures", "machine-cert", "input.json")
	identityFlags := []string{"--identity", p12, "--identity-password-file", p12Pass, "--server-ca", ca}
	outDir := filepath.Join(t.TempDir(), "profiles")

	tests := []struct {
		name string
		file string                    // the file that must not change
		what string                    // how the refusal names it
		args func(out string) []string // out is the path to write
	}{
		{"sign -o the --sign-p12", signerP12, "the --sign-p12 file", func(out string) []string {
			return []string{"sign", w.pskProfile, "-o", out, "--sign-p12", signerP12, "--sign-password-file", signerPass}
		}},
		{"sign -o the --sign-password-file", signerPass, "the password file", func(out string) []string {
			return []string{"sign", w.pskProfile, "-o", out, "--sign-p12", signerP12, "--sign-password-file", signerPass}
		}},
		{"compile -o the --sign-key", f.key, "the --sign-key file", func(out string) []string {
			return append([]string{"compile", w.psk, "-o", out}, f.flags()...)
		}},
		{"compile -o the --sign-cert", f.cert, "the --sign-cert file", func(out string) []string {
			return append([]string{"compile", w.psk, "-o", out}, f.flags()...)
		}},
		{"compile -o a --sign-chain file", f.chainPEM, "a --sign-chain file", func(out string) []string {
			return append([]string{"compile", w.psk, "-o", out}, f.flags()...)
		}},
		{"compile -o the --identity", p12, "the --identity file", func(out string) []string {
			return append([]string{"compile", machineCert, "-o", out}, identityFlags...)
		}},
		{"compile -o the --identity-password-file", p12Pass, "the password file", func(out string) []string {
			return append([]string{"compile", machineCert, "-o", out}, identityFlags...)
		}},
		{"compile -o the --server-ca", ca, "the --server-ca file", func(out string) []string {
			return append([]string{"compile", machineCert, "-o", out}, identityFlags...)
		}},
		{"compile -o the --encrypt-to", device.cert, "the --encrypt-to file", func(out string) []string {
			return []string{"compile", w.psk, "-o", out, "--encrypt-to", device.cert}
		}},
		{"sign -o the --encrypt-to", device.cert, "the --encrypt-to file", func(out string) []string {
			return append([]string{"sign", w.pskProfile, "-o", out, "--encrypt-to", device.cert}, f.flags()...)
		}},
		{"batch --report the --sign-key", f.key, "the --sign-key file", func(out string) []string {
			return append([]string{"batch", w.psk, "--out-dir", outDir, "--report", out}, f.flags()...)
		}},
		{"batch --report the --identity-password-file", p12Pass, "the password file", func(out string) []string {
			return append([]string{"batch", machineCert, "--out-dir", outDir, "--report", out}, identityFlags...)
		}},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		hard := filepath.Join(dir, "hard-link")
		if err := os.Link(tt.file, hard); err != nil {
			t.Fatal(err)
		}
		soft := filepath.Join(dir, "symbolic-link")
		if err := os.Symlink(tt.file, soft); err != nil {
			t.Fatal(err)
		}
		sub := filepath.Join(filepath.Dir(tt.file), "sub")
		os.Mkdir(sub, 0o755)
		names := []struct{ how, path, want string }{
			{"path", tt.file, tt.file + " is " + tt.what + "; refusing to overwrite it"},
			{"dot-dot", sub + "/../" + filepath.Base(tt.file), " is " + tt.what + "; refusing to overwrite it"},
			{"hard link", hard, hard + " is " + tt.what + " (" + tt.file + "); refusing to overwrite it"},
			{"symbolic link", soft, soft + " is a symbolic link to " + tt.what},
		}
		for _, n := range names {
			for _, force := range []bool{false, true} {
				name := tt.name + "/" + n.how
				if force {
					name += " --force"
				}
				t.Run(name, func(t *testing.T) {
					before := readOrFail(t, tt.file)
					args := tt.args(n.path)
					if force {
						args = append(args, "--force")
					}
					r := runCLI(t, nil, nil, args...)
					if r.code != exitError || !strings.Contains(r.stderr, n.want) {
						t.Errorf("exit %d, want 1 and %q\n%s", r.code, n.want, r.stderr)
					}
					if after := readOrFail(t, tt.file); !bytes.Equal(after, before) {
						t.Fatalf("%s was overwritten", tt.file)
					}
					if fi, err := os.Lstat(soft); err != nil || fi.Mode()&os.ModeSymlink == 0 {
						t.Fatalf("the symbolic link was replaced")
					}
					noTempFiles(t, filepath.Dir(tt.file))
					noTempFiles(t, dir)
					if profiles, _ := filepath.Glob(filepath.Join(outDir, "*")); len(profiles) > 0 {
						t.Errorf("batch wrote %v although its report cannot be written", profiles)
					}
				})
			}
		}
	}
}

// TestLongOutputNames writes outputs whose names are as long as Linux
// allows (255 bytes) and nearly so: an earlier version's temporary name
// was 16 bytes longer than the target, so these failed.
func TestLongOutputNames(t *testing.T) {
	w := newFileWorld(t)
	for _, n := range []int{240, 250, 255} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			name := strings.Repeat("v", n-len(".mobileconfig")) + ".mobileconfig"
			out := filepath.Join(dir, name)
			for _, args := range [][]string{
				{"compile", w.psk, "-o", out},
				{"compile", w.psk, "-o", out}, // replacing
				append([]string{"sign", w.pskProfile, "-o", out}, w.signFlags...),
				{"unsign", w.pskSigned, "-o", out},
				{"batch", w.psk, "--out-dir", t.TempDir(), "--report", out},
			} {
				if r := runCLI(t, nil, nil, args...); r.code != exitOK {
					t.Fatalf("%s: exit %d\n%s", args[0], r.code, r.stderr)
				}
			}
			noTempFiles(t, dir)
		})
	}
}

// TestMaxInputSize checks the one rule for --max-input-size in every
// command: a whole number from 1 to the int64 maximum (an earlier version
// overflowed there and read every input as empty); anything else is a
// usage error, exit status 2.
func TestMaxInputSize(t *testing.T) {
	w := newFileWorld(t)
	commands := map[string][]string{
		"compile":     {"compile", w.psk, "-o", filepath.Join(t.TempDir(), "out")},
		"batch":       {"batch", w.psk, "--out-dir", t.TempDir(), "-q"},
		"sign":        append([]string{"sign", w.pskProfile, "-o", filepath.Join(t.TempDir(), "out")}, w.signFlags...),
		"verify":      {"verify", w.pskSigned},
		"inspect":     {"inspect", w.pskSigned},
		"unsign":      {"unsign", w.pskSigned, "-o", filepath.Join(t.TempDir(), "out")},
		"lint":        {"lint", w.eapSigned},
		"mdm-command": {"mdm-command", w.pskSigned, "-o", filepath.Join(t.TempDir(), "out")},
		"deploy":      {"deploy", w.pskSigned, "--nanomdm-url", "http://" + closedPort(t), "--udid", "A"},
	}
	for name, args := range commands {
		t.Run(name, func(t *testing.T) {
			for _, bad := range []string{"0", "-1", "-9223372036854775808"} {
				r := runCLI(t, nil, nil, append(args, "--max-input-size", bad)...)
				if r.code != exitUsage || !strings.Contains(r.stderr, "--max-input-size "+bad+": want a number of bytes, 1 or more") {
					t.Errorf("--max-input-size %s: exit %d, want 2\n%s", bad, r.code, r.stderr)
				}
			}
			for _, bad := range []string{"9223372036854775808", "16MB", "1.5"} {
				if r := runCLI(t, nil, nil, append(args, "--max-input-size", bad)...); r.code != exitUsage {
					t.Errorf("--max-input-size %s: exit %d, want 2\n%s", bad, r.code, r.stderr)
				}
			}
			// The largest value means no limit.
			r := runCLI(t, nil, map[string]string{envMDMAPIKey: "k"}, append(args, "--max-input-size", fmt.Sprint(int64(math.MaxInt64)))...)
			want := exitOK
			if name == "deploy" {
				want = exitError // the server is not there; the profile was read
				if !strings.Contains(r.stderr, "connection refused") {
					t.Errorf("deploy did not get as far as the server:\n%s", r.stderr)
				}
			}
			if r.code != want {
				t.Errorf("--max-input-size MaxInt64: exit %d, want %d\n%s", r.code, want, r.stderr)
			}
			// One byte less than the input is too little.
			small := "100"
			r = runCLI(t, nil, map[string]string{envMDMAPIKey: "k"}, append(args, "--max-input-size", small)...)
			if r.code != exitError || !strings.Contains(r.stderr+r.stdout, "larger than 100 bytes") {
				t.Errorf("--max-input-size 100: exit %d, want 1\n%s", r.code, r.stderr)
			}
		})
	}
	t.Run("standard input", func(t *testing.T) {
		data := readOrFail(t, w.psk)
		out := filepath.Join(t.TempDir(), "out")
		r := runCLI(t, bytes.NewReader(data), nil, "compile", "-", "-o", out, "--max-input-size", fmt.Sprint(len(data)))
		if r.code != exitOK {
			t.Errorf("exactly the limit: exit %d\n%s", r.code, r.stderr)
		}
		r = runCLI(t, bytes.NewReader(data), nil, "compile", "-", "-o", out, "--max-input-size", fmt.Sprint(len(data)-1))
		if r.code != exitError || !strings.Contains(r.stderr, fmt.Sprintf("standard input is larger than %d bytes", len(data)-1)) {
			t.Errorf("one byte over: exit %d\n%s", r.code, r.stderr)
		}
	})
}

// TestCredentialFilesAreBounded gives a flag an endless file: it is refused
// after a few MB, not read until memory runs out.
func TestCredentialFilesAreBounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	w := newFileWorld(t)
	p12 := filepath.Join(testPKI(t), "client.p12")
	for _, args := range [][]string{
		{"compile", w.psk, "-o", filepath.Join(t.TempDir(), "out"), "--server-ca", "/dev/zero"},
		{"sign", w.pskProfile, "-o", filepath.Join(t.TempDir(), "out"), "--sign-p12", "/dev/zero"},
		{"sign", w.pskProfile, "-o", filepath.Join(t.TempDir(), "out"), "--sign-p12", p12, "--sign-password-file", "/dev/zero"},
		{"verify", w.pskSigned, "--roots", "/dev/zero"},
	} {
		r := runCLI(t, nil, nil, args...)
		if r.code != exitError || !strings.Contains(r.stderr, "larger than 4194304 bytes") {
			t.Errorf("%s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}

// panicReader panics when read: it stands for a bug anywhere below the
// command line.
type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("a planted bug\nwith a second line") }

// TestPanicIsOneLine plants a panic under compile (in the command's
// goroutine) and under batch (in its reading goroutine): each is reported
// in one line with exit status 1, instead of a goroutine dump with exit
// status 2 (or, in a goroutine, the end of the process).
func TestPanicIsOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"compile", "-", "-o", filepath.Join(t.TempDir(), "out")},
		{"batch", "-", "--out-dir", t.TempDir(), "-q"},
	} {
		r := runCLI(t, panicReader{}, nil, args...)
		if r.code != exitError {
			t.Errorf("%s: exit %d, want 1\n%s", args[0], r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		var internal []string
		for _, l := range lines {
			if strings.Contains(l, "internal error") {
				internal = append(internal, l)
			}
		}
		if len(internal) != 1 || !strings.Contains(internal[0], "a planted bug with a second line") || strings.Contains(r.stderr, "goroutine ") {
			t.Errorf("%s: stderr:\n%s", args[0], r.stderr)
		}
	}
}

// TestCarriageReturnInSecret compiles an export whose shared secret holds
// carriage returns, as XML and as binary: both profiles carry the same
// secret, CRs included (the XML one used to read back with LFs).
func TestCarriageReturnInSecret(t *testing.T) {
	const secret = "pre\rshared\r\nkey\r"
	var entity map[string]any
	if err := json.Unmarshal(readOrFail(t, repoPath("fixtures", "psk-ondemand", "input.json")), &entity); err != nil {
		t.Fatal(err)
	}
	entity["sharedSecret"] = secret
	data, _ := json.Marshal(entity)
	dir := t.TempDir()
	in := writeOrFail(t, filepath.Join(dir, "cr.json"), data)
	for _, format := range []string{"xml", "binary"} {
		out := filepath.Join(dir, format+".mobileconfig")
		if r := runCLI(t, nil, nil, "compile", in, "--plist-format", format, "-o", out); r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", format, r.code, r.stderr)
		}
		var p struct {
			PayloadContent []struct {
				IKEv2 struct{ SharedSecret string }
			}
		}
		if err := mplist.Unmarshal(readOrFail(t, out), &p); err != nil {
			t.Fatalf("%s: micromdm/plist: %v", format, err)
		}
		if len(p.PayloadContent) == 0 || p.PayloadContent[0].IKEv2.SharedSecret != secret {
			t.Errorf("%s: the profile's SharedSecret is %+v, want %q", format, p.PayloadContent, secret)
		}
	}
}
