package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
)

// TestBuildVersion: the stamped release version comes first, then the
// module version the go command recorded; the revision is shown only when
// the build recorded one. No test here needs version control information,
// which -buildvcs=false and go install ...@version builds lack.
func TestBuildVersion(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "7cd766a0f1e2d3c4b5a69788f9e0d1c2b3a4f5e6"},
		{Key: "vcs.time", Value: "2026-11-30T16:24:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	tests := []struct {
		name     string
		stamped  string
		bi       *debug.BuildInfo
		version  string
		revision string
		modified bool
	}{
		{"release", "v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs}, "v1.2.3", "7cd766a0f1e2d3c4b5a69788f9e0d1c2b3a4f5e6", true},
		{"go install @version", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3", "", false},
		{"working tree, no VCS", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)", "", false},
		{"no build information", "", nil, "(devel)", "", false},
	}
	for _, tt := range tests {
		v := buildVersion(tt.stamped, tt.bi)
		if v.Version != tt.version || v.Revision != tt.revision || v.Modified != tt.modified {
			t.Errorf("%s: version %q revision %q modified %v, want %q %q %v", tt.name, v.Version, v.Revision, v.Modified, tt.version, tt.revision, tt.modified)
		}
		var b strings.Builder
		printVersion(&b, v)
		text := b.String()
		rel := appleschema.SchemaRelease()
		wantSubstrings(t, tt.name, text, "graph2mobileconfig "+tt.version+"\n", runtime.GOOS+"/"+runtime.GOARCH,
			"apple schema:  iOS "+rel.IOS, rel.Commit[:12], "default target ios:"+rel.NewestReleasedIOS)
		if strings.Contains(text, "revision:") != (tt.revision != "") {
			t.Errorf("%s: revision line shown wrongly:\n%s", tt.name, text)
		}
	}
}

// TestVersionCommand: version, version --json and --version agree.
func TestVersionCommand(t *testing.T) {
	text := runCLI(t, nil, nil, "version")
	flag := runCLI(t, nil, nil, "--version")
	if text.code != exitOK || flag.code != exitOK || text.stdout != flag.stdout {
		t.Fatalf("version: exit %d\n%s\n--version: exit %d\n%s", text.code, text.stdout, flag.code, flag.stdout)
	}
	r := runCLI(t, nil, nil, "version", "--json")
	var v versionInfo
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("version --json: %v\n%s", err, r.stdout)
	}
	if v.Version == "" || v.Go != runtime.Version() || v.AppleSchema.IOS != appleschema.SchemaRelease().IOS || v.AppleSchema.DefaultTarget != "ios:26.0" {
		t.Errorf("version --json = %+v", v)
	}
	if r := runCLI(t, nil, nil, "--version", "compile", "x.json"); r.code != exitOK || r.stdout != text.stdout {
		t.Errorf("--version before a command: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestStampedVersion builds the program as scripts/release does, with the
// version stamped and without version control information.
func TestStampedVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program; skipped with -short")
	}
	goTool := testenv.Tool(t, "go", "building the program")
	bin := filepath.Join(t.TempDir(), "graph2mobileconfig")
	build := exec.Command(goTool, "build", "-trimpath", "-buildvcs=false", "-ldflags", "-X main.version=v9.8.7-test", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "graph2mobileconfig v9.8.7-test\n") || strings.Contains(string(out), "revision:") {
		t.Errorf("--version printed:\n%s", out)
	}
}

// TestManPage: docs/graph2mobileconfig.1 is what the man command prints
// (go test -update regenerates it), groff reads it without a warning, and
// it holds every command with its examples.
func TestManPage(t *testing.T) {
	r := runCLI(t, nil, nil, "man")
	if r.code != exitOK {
		t.Fatalf("man: exit %d\n%s", r.code, r.stderr)
	}
	golden.Check(t, repoPath("docs", "graph2mobileconfig.1"), []byte(r.stdout))
	wantSubstrings(t, "man", r.stdout, `.TH graph2mobileconfig 1`, ".SH COMMANDS", "graph2mobileconfig compile [options] INPUT.json|-",
		"graph2mobileconfig verify signed.mobileconfig --roots fixtures/testpki/root-ca.pem", "GRAPH2MOBILECONFIG_SIGN_PASSWORD",
		".SH ENVIRONMENT", ".SH EXIT STATUS")
	for _, c := range newApp(env{}, nil).Commands {
		if !strings.Contains(r.stdout, "\n.SH "+c.Name+"\n") {
			t.Errorf("the manual page has no section for %s", c.Name)
		}
	}
	groff := testenv.Tool(t, "groff", "checking the manual page with groff")
	page := filepath.Join(t.TempDir(), "graph2mobileconfig.1")
	if err := os.WriteFile(page, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	// -k: the page is UTF-8 (→, «»), as man's preprocessor reads it.
	out, err := exec.Command(groff, "-k", "-man", "-Tutf8", "-ww", "-z", page).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("groff: %v\n%s", err, out)
	}
}
