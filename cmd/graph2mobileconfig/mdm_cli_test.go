package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	mplist "github.com/micromdm/plist"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// mdmTestUUID makes mdm-command output reproducible.
const mdmTestUUID = "0F8FAD5B-D9CB-469F-A165-70867728950E"

// mdmCommandPlist is a command plist as an independent parser
// (github.com/micromdm/plist) reads it.
type mdmCommandPlist struct {
	CommandUUID string
	Command     struct {
		RequestType string
		Payload     []byte
		Identifier  string
	}
}

func decodeCommandPlist(t *testing.T, data []byte) mdmCommandPlist {
	t.Helper()
	var c mdmCommandPlist
	if err := mplist.Unmarshal(data, &c); err != nil {
		t.Fatalf("micromdm/plist cannot read the command: %v\n%s", err, data)
	}
	return c
}

// mdmTestProfile is a small unsigned profile kept with the mdm package.
func mdmTestProfile(t *testing.T) (string, []byte) {
	t.Helper()
	path := repoPath("mdm", "testdata", "vpn.mobileconfig")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// signedTestProfile signs profile with a new test identity and writes it to
// a temporary file.
func signedTestProfile(t *testing.T, profile []byte) (string, []byte, *testpki.CA) {
	t.Helper()
	root := testpki.NewRoot(t, testpki.Options{})
	leaf := root.NewLeaf(t, testpki.Options{CommonName: "Test Profile Signer"})
	signed, err := signing.Sign(profile, &signing.Identity{Certificate: leaf.Cert, PrivateKey: leaf.Key, Chain: leaf.Chain})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signed.mobileconfig")
	if err := os.WriteFile(path, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, signed, root
}

func TestMDMCommandGolden(t *testing.T) {
	profilePath, profile := mdmTestProfile(t)
	const udid = "55693EB3-DF03-5FD1-9263-F7CDB8AD7FFD"
	const warning = "is not signed; devices show it as \"Not Verified\""
	tests := []struct {
		name   string
		args   []string
		golden string
		remove bool
	}{
		{"plist", []string{profilePath}, "install.plist", false},
		{"nanomdm", []string{profilePath, "--mdm", "nanomdm"}, "install.plist", false},
		{"micromdm", []string{profilePath, "--mdm", "micromdm", "--udid", udid}, "install.micromdm.json", false},
		{"remove plist", []string{"--remove", "com.contoso.branch.vpn"}, "remove.plist", true},
		{"remove micromdm", []string{"--remove", "com.contoso.branch.vpn", "--mdm", "MicroMDM", "--udid", udid}, "remove.micromdm.json", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, nil, append([]string{"mdm-command", "--command-uuid", mdmTestUUID, "-o", "-"}, tt.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			golden.Check(t, filepath.Join("testdata", "mdm-command", tt.golden), []byte(r.stdout))
			if got := strings.Contains(r.stderr, warning); got == tt.remove {
				t.Errorf("unsigned warning shown = %v, want %v; stderr:\n%s", got, !tt.remove, r.stderr)
			}
			if !strings.HasSuffix(tt.golden, ".plist") {
				return
			}
			c := decodeCommandPlist(t, []byte(r.stdout))
			if c.CommandUUID != mdmTestUUID {
				t.Errorf("CommandUUID = %q", c.CommandUUID)
			}
			if tt.remove {
				if c.Command.RequestType != "RemoveProfile" || c.Command.Identifier != "com.contoso.branch.vpn" || c.Command.Payload != nil {
					t.Errorf("Command = %+v", c.Command)
				}
				return
			}
			if c.Command.RequestType != "InstallProfile" || !bytes.Equal(c.Command.Payload, profile) {
				t.Errorf("RequestType %q, Payload equal to the profile: %v", c.Command.RequestType, bytes.Equal(c.Command.Payload, profile))
			}
		})
	}
}

func TestMDMCommandSigned(t *testing.T) {
	_, profile := mdmTestProfile(t)
	path, signed, root := signedTestProfile(t, profile)
	out := filepath.Join(t.TempDir(), "command.plist")
	r := runCLI(t, nil, nil, "mdm-command", path, "-o", out)
	if r.code != exitOK || r.stdout != "" || r.stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("command file mode = %v, want 0600 (it carries the profile)", fi.Mode().Perm())
	}
	c := decodeCommandPlist(t, data)
	if !bytes.Equal(c.Command.Payload, signed) {
		t.Fatalf("Payload is not the signed profile byte for byte")
	}
	v, err := signing.Verify(c.Command.Payload, signing.VerifyOptions{Roots: root.Pool()})
	if err != nil || !v.SignatureValid || !v.ChainVerified {
		t.Fatalf("the Payload does not verify: %v", err)
	}
	content, err := signing.Unsign(c.Command.Payload)
	if err != nil || !bytes.Equal(content, profile) {
		t.Errorf("the Payload does not unsign to the profile (err %v)", err)
	}
	uuid := regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)
	if !uuid.MatchString(c.CommandUUID) {
		t.Errorf("random CommandUUID %q is not an upper-case version 4 UUID", c.CommandUUID)
	}

	// Without --command-uuid, every run has a new one.
	again := runCLI(t, nil, nil, "mdm-command", path, "-o", "-")
	if c2 := decodeCommandPlist(t, []byte(again.stdout)); c2.CommandUUID == c.CommandUUID || !uuid.MatchString(c2.CommandUUID) {
		t.Errorf("second random CommandUUID %q (first %q)", c2.CommandUUID, c.CommandUUID)
	}

	// Standard input works as well.
	stdin := runCLI(t, bytes.NewReader(signed), nil, "mdm-command", "-", "--command-uuid", mdmTestUUID, "-o", "-")
	if stdin.code != exitOK {
		t.Fatalf("exit %d: %s", stdin.code, stdin.stderr)
	}
	if c3 := decodeCommandPlist(t, []byte(stdin.stdout)); !bytes.Equal(c3.Command.Payload, signed) || c3.CommandUUID != mdmTestUUID {
		t.Errorf("from standard input: %+v", c3.CommandUUID)
	}
}

func TestMDMCommandErrors(t *testing.T) {
	profilePath, profile := mdmTestProfile(t)
	_, signed, _ := signedTestProfile(t, profile)
	dir := t.TempDir()
	tampered := filepath.Join(dir, "tampered.mobileconfig")
	if err := os.WriteFile(tampered, bytes.Replace(signed, []byte("Branch VPN"), []byte("Branch XXX"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	graphJSON := repoPath("fixtures", "psk-ondemand", "input.json")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad mdm", []string{profilePath, "--mdm", "json"}, exitUsage, `--mdm "json": want nanomdm or micromdm`},
		{"no profile", nil, exitUsage, "takes exactly one PROFILE"},
		{"two profiles", []string{profilePath, profilePath}, exitUsage, "got 2 arguments"},
		{"remove with a profile", []string{profilePath, "--remove", "com.x"}, exitUsage, "give no PROFILE"},
		{"micromdm without udid", []string{profilePath, "--mdm", "micromdm"}, exitUsage, "--mdm micromdm needs --udid"},
		{"udid with plist", []string{profilePath, "--udid", "X"}, exitUsage, "--udid is for --mdm micromdm"},
		{"bad udid", []string{profilePath, "--mdm", "micromdm", "--udid", "A,B"}, exitUsage, `--udid: device ID "A,B" contains ','`},
		{"bad command uuid", []string{profilePath, "--command-uuid", "1234"}, exitUsage, `--command-uuid: command UUID "1234" is not a UUID`},
		{"empty command uuid", []string{profilePath, "--command-uuid", ""}, exitUsage, "--command-uuid: the command UUID is empty"},
		{"bad identifier", []string{"--remove", "com x"}, exitUsage, "spaces or control characters"},
		{"Graph JSON", []string{graphJSON}, exitError, graphJSON + ": the file is not a configuration profile: not a property list: it is neither XML nor binary"},
		{"missing file", []string{filepath.Join(dir, "nope.mobileconfig")}, exitError, "no such file"},
		{"folder", []string{dir}, exitError, dir + " is a folder, not a profile"},
		{"tampered", []string{tampered}, exitError, "the profile's signature is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			r := runCLI(t, nil, nil, append([]string{"mdm-command", "-o", out}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("an output file was written")
			}
		})
	}
}
