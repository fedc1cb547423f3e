package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
)

// readmeBlock is a fenced code block of the README.
type readmeBlock struct {
	line   int    // of the opening fence
	lang   string // sh, powershell, ...
	text   string
	notRun string // the reason of a "<!-- not run: ... -->" comment just before it
}

// readmeBlocks returns the README's fenced code blocks, in order.
func readmeBlocks(t *testing.T, readme string) []readmeBlock {
	t.Helper()
	var blocks []readmeBlock
	lines := strings.Split(readme, "\n")
	notRun := regexp.MustCompile(`^<!-- not run: (.+) -->$`)
	for i := 0; i < len(lines); i++ {
		lang, ok := strings.CutPrefix(lines[i], "```")
		if !ok || lang == "" {
			continue
		}
		b := readmeBlock{line: i + 1, lang: lang}
		for j := i - 1; j >= 0 && lines[j] != ""; j-- {
			if m := notRun.FindStringSubmatch(lines[j]); m != nil {
				b.notRun = m[1]
			}
		}
		var body []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			body = append(body, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("README.md:%d: the code block is not closed", b.line)
		}
		b.text = strings.Join(body, "\n") + "\n"
		blocks = append(blocks, b)
	}
	return blocks
}

// The README's two commands, which must keep working as written.
const (
	quickStartCompile = "go run ./cmd/graph2mobileconfig compile fixtures/psk-ondemand/input.json -o out.mobileconfig"
	quickStartTest    = "go test ./..."
)

// TestREADME runs every shell block of the README, in order, as written, in
// one folder where fixtures/ is the repository's: the walkthrough "From an
// Intune export to a device" makes a throwaway PKI with OpenSSL, compiles,
// signs, verifies and deploys to a device enrolled in a real NanoMDM
// (started in-process, standing in for mdm.contoso.example), which then
// receives the profile; the other sections use the fixtures and what the
// walkthrough made. A block may be skipped only with a reason in a
// "<!-- not run: ... -->" comment. In the quick start, "go run
// ./cmd/graph2mobileconfig" is the program built from this tree, and "go test
// ./..." is the run this test belongs to.
func TestREADME(t *testing.T) {
	testenv.Tool(t, "openssl", "the README's walkthrough (it makes a signer with OpenSSL)")
	readme := string(readOrFail(t, repoPath("README.md")))
	s := newShellSandbox(t)
	blocks := readmeBlocks(t, readme)
	ran, skipped := 0, 0
	for _, b := range blocks {
		if b.lang != "sh" {
			if b.notRun != "" {
				t.Errorf("README.md:%d: a %s block is never run; it needs no not-run comment", b.line, b.lang)
			}
			continue
		}
		if b.notRun != "" {
			skipped++
			t.Logf("README.md:%d: not run: %s", b.line, b.notRun)
			continue
		}
		script := b.text
		if strings.Contains(script, "go run ./cmd/graph2mobileconfig") {
			if !strings.Contains(script, quickStartCompile+"\n") || !strings.Contains(script, "\n"+quickStartTest+"\n") {
				t.Errorf("README.md:%d: the quick start lost one of the README's two commands:\n%s", b.line, script)
			}
			script = strings.ReplaceAll(script, "go run ./cmd/graph2mobileconfig", "graph2mobileconfig")
			script = strings.ReplaceAll(script, "\n"+quickStartTest+"\n", "\n")
		}
		ran++
		s.run(t, script)
		if t.Failed() {
			t.Fatalf("README.md:%d: the block failed (above); the blocks after it need its files", b.line)
		}
	}
	if ran < 12 || skipped > 3 {
		t.Errorf("%d blocks run and %d not: the README lost its examples, or too many are not run", ran, skipped)
	}

	// The walkthrough's profile reached the device of step 5.
	dev := s.devices[exampleDevice1]
	profile := readOrFail(t, filepath.Join(s.dir, "corp-vpn.mobileconfig"))
	var got []byte
	for raw := dev.Idle(t); raw != nil; raw = dev.Idle(t) {
		c := decodeCommandPlist(t, raw)
		if c.Command.RequestType == "InstallProfile" && bytes.Equal(c.Command.Payload, profile) {
			got = c.Command.Payload
		}
		dev.Acknowledge(t, c.CommandUUID)
	}
	if got == nil {
		t.Fatal("the device never received the walkthrough's corp-vpn.mobileconfig")
	}
	r := runCLI(t, nil, nil, "verify", filepath.Join(s.dir, "corp-vpn.mobileconfig"), "--roots", filepath.Join(s.dir, "signing-ca.pem"), "--json")
	if r.code != exitOK || !strings.Contains(r.stdout, `"chainVerified": true`) {
		t.Errorf("the profile the device got does not verify against the walkthrough's CA: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if fi, err := os.Stat(filepath.Join(s.dir, "signer.pass")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("signer.pass: %v, mode %v; the walkthrough should make it 0600", err, fi.Mode().Perm())
	}
}
