package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
)

// TestCompletionProtocol asks the program for candidates as the shell
// scripts do: the words typed so far, the word being typed when it starts
// with "-", and --generate-bash-completion last.
func TestCompletionProtocol(t *testing.T) {
	tests := []struct {
		words []string
		want  []string // nil: nothing, so that the shell completes file names
	}{
		{nil, []string{"compile", "batch", "sign", "verify", "inspect", "unsign", "lint", "mapping", "mdm-command", "deploy", "server-config", "dial", "version", "completion", "man", "help"}},
		{[]string{"--ver"}, []string{"--version"}},
		// After an argument: the library gives up after "--", which the
		// reordering of the arguments used to put there.
		{[]string{"compile", "in.json", "--o"}, []string{"--output", "--organization"}},
		{[]string{"compile", "--o"}, []string{"--output", "--organization"}},
		{[]string{"verify", "x.mobileconfig", "--ro"}, []string{"--roots"}},
		// The old spellings are not offered.
		{[]string{"compile", "--c"}, nil},
		{[]string{"verify", "--c"}, nil},
		// A flag given once is not offered again; a repeatable one is.
		{[]string{"compile", "--server-ca", "a.pem", "--server"}, []string{"--server-ca"}},
		{[]string{"compile", "--strict", "--stri"}, []string{"--strict-algorithms"}},
		// After a flag that takes a value: its choices, or file names.
		{[]string{"compile", "in.json", "--plist-format"}, []string{"xml", "binary"}},
		{[]string{"mdm-command", "--mdm"}, []string{"nanomdm", "micromdm"}},
		{[]string{"compile", "in.json", "-o"}, nil},
		{[]string{"compile", "in.json"}, nil},
		{[]string{"completion"}, []string{"bash", "zsh", "fish"}},
	}
	for _, tt := range tests {
		r := runCLI(t, nil, nil, append(tt.words, "--generate-bash-completion")...)
		got := strings.Fields(r.stdout)
		if r.code != exitOK || strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%q: exit %d, candidates %q, want %q\n%s", tt.words, r.code, got, tt.want, r.stderr)
		}
	}
}

// TestCompletionScripts: the bash and zsh scripts are urfave/cli's own,
// as in the module the program is built with, with its licence notice; the
// fish script is the library's ToFishCompletion, completing file names
// after the flags that take a file.
func TestCompletionScripts(t *testing.T) {
	license := readOrFail(t, filepath.Join("completion", "LICENSE.urfave-cli"))
	if !bytes.Contains(license, []byte("Copyright (c) 2022 urfave/cli maintainers")) {
		t.Fatal("the urfave/cli licence is not in completion/")
	}
	moduleDir := ""
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/urfave/cli/v2").Output(); err == nil {
		moduleDir = strings.TrimSpace(string(out))
	}
	for _, shell := range []string{"bash", "zsh"} {
		r := runCLI(t, nil, nil, "completion", shell)
		if r.code != exitOK {
			t.Fatalf("completion %s: exit %d\n%s", shell, r.code, r.stderr)
		}
		script := readOrFail(t, filepath.Join("completion", shell+"_autocomplete"))
		wantSubstrings(t, shell, r.stdout, "# Copyright (c) 2022 urfave/cli maintainers", "# The above copyright notice and this permission notice shall be included in all",
			"PROG=graph2mobileconfig\n"+string(script))
		if moduleDir == "" {
			t.Logf("go list gave no module folder; the copy of %s_autocomplete is not compared with urfave/cli's", shell)
			continue
		}
		upstream := readOrFail(t, filepath.Join(moduleDir, "autocomplete", shell+"_autocomplete"))
		if !bytes.Equal(script, upstream) {
			t.Errorf("completion/%s_autocomplete differs from urfave/cli's in go.mod: copy it again", shell)
		}
		if got := readOrFail(t, filepath.Join(moduleDir, "LICENSE")); !bytes.Equal(got, license) {
			t.Errorf("completion/LICENSE.urfave-cli differs from urfave/cli's LICENSE")
		}
	}
	r := runCLI(t, nil, nil, "completion", "fish")
	wantSubstrings(t, "fish", r.stdout,
		"complete -c graph2mobileconfig -n '__fish_seen_subcommand_from compile' -l output -s o -r",
		"complete -c graph2mobileconfig -n '__fish_seen_subcommand_from verify' -l roots -r",
		"complete -c graph2mobileconfig -n '__fish_seen_subcommand_from compile' -f -l plist-format -r")
	if strings.Contains(r.stdout, "-l ca ") || strings.Contains(r.stdout, "-l diagnostics") {
		t.Error("the fish script offers an old spelling")
	}
	if r := runCLI(t, nil, nil, "completion", "powershell"); r.code != exitUsage {
		t.Errorf("completion powershell: exit %d, want %d", r.code, exitUsage)
	}
}

// TestShellCompletion loads the scripts into real shells: bash (with the
// bash-completion package, which the script needs) completes through the
// built program as a user's would, and zsh reads its script.
func TestShellCompletion(t *testing.T) {
	bash := testenv.Tool(t, "bash", "completing with bash")
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		testenv.SkipOrFail(t, "the bash-completion package is not installed; completing with bash is skipped")
	}
	bin := buildBinary(t)
	dir := filepath.Dir(bin)
	script := `
source ` + bashCompletion + `
source <(graph2mobileconfig completion bash)
try() {
	COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
	read -ra COMP_WORDS <<<"$1"
	[[ "$1" == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]}-1))
	COMPREPLY=()
	_cli_bash_autocomplete
	echo "$1|${COMPREPLY[*]}"
}
try "graph2mobileconfig comp"
try "graph2mobileconfig compile in.json --o"
try "graph2mobileconfig compile in.json --plist-format "
try "graph2mobileconfig verify signed.mobileconfig --ro"
`
	cmd := exec.Command(bash, "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	want := "graph2mobileconfig comp|compile completion\n" +
		"graph2mobileconfig compile in.json --o|--output --organization\n" +
		"graph2mobileconfig compile in.json --plist-format |xml binary\n" +
		"graph2mobileconfig verify signed.mobileconfig --ro|--roots\n"
	if string(out) != want {
		t.Errorf("bash completed:\n%s\nwant:\n%s", out, want)
	}

	zsh := testenv.Tool(t, "zsh", "checking the zsh script")
	r := runCLI(t, nil, nil, "completion", "zsh")
	check := exec.Command(zsh, "-n")
	check.Stdin = strings.NewReader(r.stdout)
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("zsh -n: %v\n%s", err, out)
	}
}
