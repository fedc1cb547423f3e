package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// hostileSecrets are the secrets that the crafted profiles of
// testdata/hostile break at; no command may print them.
var hostileSecrets = []string{"Zq7", "7304185529"}

// hostileReasons are the words of each crafted profile's refusal.
var hostileReasons = map[string]string{
	"bplist-aliased-offsets.bplist":   "uses one array or dictionary in two places",
	"bplist-bomb.bplist":              "uses one array or dictionary in two places",
	"bplist-count-overflow.bplist":    "an object runs into the offset table",
	"bplist-cycle.bplist":             "uses one array or dictionary in two places",
	"bplist-deep.bplist":              "nested more than 64 levels deep",
	"bplist-self.bplist":              "uses one array or dictionary in two places",
	"bplist-shared-dict.bplist":       "uses one array or dictionary in two places",
	"bplist-zero-ref-size.bplist":     "reference size other than 1, 2, 4 or 8 bytes",
	"text-deep-dict.plist":            "nested more than 64 levels deep",
	"text-deep.plist":                 "nested more than 64 levels deep",
	"text-secret-gnustep.plist":       "line 2, column 21: a GNUstep value that does not parse as its type",
	"text-secret-hex.plist":           "line 2, column 20: data with a character that is not a hexadecimal digit",
	"xml-deep.plist":                  "nested more than 64 levels deep",
	"xml-secret-date.mobileconfig":    "XML line 8, column 39: a <date> that is not a date",
	"xml-secret-element.mobileconfig": "XML line 8, column 70: an element that is not part of a property list",
	"xml-secret-end-tag.mobileconfig": "an end tag does not match its start tag",
	"xml-secret-entity.mobileconfig":  "XML line 8, column 80: an & that does not start a character reference",
	"xml-secret-integer.mobileconfig": "XML line 8, column 42: an <integer> that is not a 64-bit integer",
}

// readingCommands are the commands that read a profile, with what they need
// besides it; each must refuse a hostile profile the same way.
func readingCommands(t *testing.T) map[string]func(in string) []string {
	f := newSignerFiles(t, testpki.ECDSAP256, testpki.Options{})
	out := filepath.Join(t.TempDir(), "out")
	return map[string]func(string) []string{
		"lint":               func(in string) []string { return []string{"lint", in} },
		"lint --json":        func(in string) []string { return []string{"lint", "--json", in} },
		"inspect":            func(in string) []string { return []string{"inspect", in} },
		"inspect --json":     func(in string) []string { return []string{"inspect", "--json", in} },
		"verify":             func(in string) []string { return []string{"verify", in} },
		"verify --json":      func(in string) []string { return []string{"verify", "--json", in} },
		"sign":               func(in string) []string { return append([]string{"sign", in, "-o", out, "--resign"}, f.flags()...) },
		"mdm-command":        func(in string) []string { return []string{"mdm-command", in, "-o", out} },
		"mdm-command stdout": func(in string) []string { return []string{"mdm-command", in} },
	}
}

// checkRefusal checks one refusal: exit 1, no secret anywhere, nothing on
// standard output but lint's and verify's reports, and the reason on one
// line.
func checkRefusal(t *testing.T, command string, r result, want string) {
	t.Helper()
	if r.code != exitError {
		t.Fatalf("exit %d, want 1\nstdout:\n%.2000s\nstderr:\n%.2000s", r.code, r.stdout, r.stderr)
	}
	for _, s := range hostileSecrets {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("the output quotes the secret %q:\n%s%s", s, r.stdout, r.stderr)
		}
	}
	report := r.stderr
	switch {
	case strings.HasPrefix(command, "lint"), command == "verify --json":
		report = r.stdout
	case command == "verify":
		report = r.stdout + r.stderr
	default:
		if r.stdout != "" {
			t.Errorf("stdout is not empty:\n%.2000s", r.stdout)
		}
		want := 1
		if command == "deploy" {
			want = 2 // and "nothing was sent"
		}
		if lines := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; lines != want {
			t.Errorf("the error takes %d lines:\n%s", lines, r.stderr)
		}
	}
	// JSON output escapes <, > and &.
	report = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(report)
	if !strings.Contains(report, want) {
		t.Errorf("the output does not say %q:\n%s", want, report)
	}
}

// TestHostileProfilesEveryCommand runs every crafted profile of
// testdata/hostile through every command that reads profiles: reference
// bombs, cycles, nesting beyond the limit, and profiles broken right at
// their shared secret (which the parse errors of lint, inspect, sign and
// mdm-command quoted before).
func TestHostileProfilesEveryCommand(t *testing.T) {
	files, _ := filepath.Glob(repoPath("testdata", "hostile", "*"))
	if len(files) < 15 {
		t.Fatalf("only %d crafted profiles in testdata/hostile", len(files))
	}
	commands := readingCommands(t)
	for _, file := range files {
		if filepath.Ext(file) == ".md" {
			continue
		}
		for name, args := range commands {
			t.Run(filepath.Base(file)+"/"+name, func(t *testing.T) {
				r := runCLI(t, nil, nil, args(file)...)
				// Every refusal says what is wrong with the property
				// list, as TestHostileInputs in plistout checks.
				checkRefusal(t, name, r, hostileReasons[filepath.Base(file)])
			})
		}
	}
}

// TestHugeNestingEveryCommand feeds the nesting that ended the process with
// Go's fatal stack overflow (exit 2 and a goroutine dump, which no recover
// catches): an XML profile 1,000,000 levels deep (15 MB) and a text one
// 6,000,000 deep, to every command that reads profiles, as files and signed.
func TestHugeNestingEveryCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 15 MB inputs")
	}
	dir := t.TempDir()
	xml := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<plist version=\"1.0\">\n<dict><key>PayloadContent</key>" +
		strings.Repeat("<array>", 1_000_000) + strings.Repeat("</array>", 1_000_000) + "</dict></plist>\n")
	text := []byte(strings.Repeat("(", 6_000_000) + strings.Repeat(")", 6_000_000))
	deepXML := writeOrFail(t, filepath.Join(dir, "deep-xml.mobileconfig"), xml)
	deepText := writeOrFail(t, filepath.Join(dir, "deep-text.mobileconfig"), text)
	leaf := testpki.NewRoot(t, testpki.Options{}).NewLeaf(t, testpki.Options{})
	signed, err := signing.Sign(xml, &signing.Identity{Certificate: leaf.Cert, PrivateKey: leaf.Key})
	if err != nil {
		t.Fatal(err)
	}
	signedXML := writeOrFail(t, filepath.Join(dir, "deep-signed.mobileconfig"), signed)
	commands := readingCommands(t)
	commands["unsign"] = func(in string) []string { return []string{"unsign", in, "-o", filepath.Join(dir, "unsigned")} }
	commands["deploy"] = func(in string) []string {
		return []string{"deploy", in, "--nanomdm-url", "http://" + closedPort(t), "--udid", "X", "--allow-unsigned"}
	}
	for _, in := range []string{deepXML, deepText, signedXML} {
		for name, args := range commands {
			if name == "unsign" && in != signedXML {
				continue
			}
			t.Run(filepath.Base(in)+"/"+name, func(t *testing.T) {
				env := map[string]string{envMDMAPIKey: "key"}
				start := time.Now()
				r := runCLI(t, nil, env, args(in)...)
				if name == "unsign" {
					// unsign writes what was signed, whatever it is, and
					// says that it is not a profile.
					if r.code != exitOK || !strings.Contains(r.stderr, "nested more than 64 levels deep") {
						t.Fatalf("exit %d\n%s", r.code, r.stderr)
					}
					return
				}
				checkRefusal(t, name, r, "nested more than 64 levels deep")
				t.Logf("refused in %v", time.Since(start))
			})
		}
	}
}

// TestInspectOutputIsLinear checks that what inspect prints grows with its
// input, not with the square of its nesting: a 300 KB profile nested 40,000
// levels deep made 400 MB of output. Nesting beyond the limit is refused;
// within it, text, XML and JSON stay within a fixed factor of the input.
func TestInspectOutputIsLinear(t *testing.T) {
	dir := t.TempDir()
	deep := writeOrFail(t, filepath.Join(dir, "deep.mobileconfig"), []byte("<plist><dict><key>PayloadContent</key>"+strings.Repeat("<array>", 40_000)+strings.Repeat("</array>", 40_000)+"</dict></plist>"))
	r := runCLI(t, nil, nil, "inspect", deep)
	checkRefusal(t, "inspect", r, "nested more than 64 levels deep")

	// The worst within the limits: leaves at the deepest level allowed,
	// each taking the fewest bytes.
	var b bytes.Buffer
	b.WriteString("<plist><dict><key>PayloadType</key><string>Configuration</string><key>PayloadContent</key>")
	b.WriteString(strings.Repeat("<array>", 62))
	b.WriteString(strings.Repeat("<true/>", 20_000))
	b.WriteString(strings.Repeat("<dict><key>a</key><true/></dict>", 5_000))
	b.WriteString(strings.Repeat("</array>", 62))
	b.WriteString("</dict></plist>")
	in := writeOrFail(t, filepath.Join(dir, "wide.mobileconfig"), b.Bytes())
	for _, args := range [][]string{{"inspect", in}, {"inspect", "--json", in}} {
		r := runCLI(t, nil, nil, args...)
		if r.code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		ratio := float64(len(r.stdout)) / float64(b.Len())
		t.Logf("%v: %d bytes in, %d out (%.1f×)", args, b.Len(), len(r.stdout), ratio)
		if ratio > 25 {
			t.Errorf("%v: %d bytes of output for %d of input (%.1f×): more than 25× the input", args, len(r.stdout), b.Len(), ratio)
		}
	}
}

// TestInspectStopsOnSIGTERM interrupts inspect while it writes a large
// report to a pipe that nobody reads: it must exit with 143 and not be
// stuck in the write.
func TestInspectStopsOnSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	var b bytes.Buffer
	b.WriteString("<plist><dict><key>PayloadType</key><string>Configuration</string><key>PayloadContent</key>")
	b.WriteString(strings.Repeat("<array>", 62))
	b.WriteString(strings.Repeat("<string>x</string>", 200_000))
	b.WriteString(strings.Repeat("</array>", 62))
	b.WriteString("</dict></plist>")
	in := writeOrFail(t, filepath.Join(t.TempDir(), "wide.mobileconfig"), b.Bytes())
	reader, writer, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	r := newProgram(t, bin, "inspect", in)
	r.cmd.Stdout = writer
	r.start(t)
	writer.Close()
	// Read a little, so that inspect is known to be writing, then stop
	// reading.
	if _, err := reader.Read(make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	r.signal(t, syscall.SIGTERM)
	code, elapsed := r.wait(t, sent)
	if code != 143 {
		t.Errorf("exit %d after SIGTERM, want 143\n%s", code, r.stderr.String())
	}
	t.Logf("exited %v after SIGTERM", elapsed)
}
