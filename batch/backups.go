package batch

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// backupTool is the folder layout of one of the Intune backup tools admins
// use, as their source code writes it, so that batch can read a backup
// folder directly: the device configurations are read, the tool's other
// files (assignments, other kinds of policies, its own bookkeeping) are
// skipped and counted, each with a line in the report.
type backupTool struct {
	// name is the tool as the messages name it.
	name string
	// configs is the folder, directly in the backup folder, that holds the
	// device configurations, one entity per file.
	configs string
	// assignments is the folder inside each kind's folder that holds the
	// assignment files ("" if the tool has none).
	assignments string
	// knownFiles are files directly in the backup folder that are the
	// tool's own bookkeeping.
	knownFiles []string
}

// backupTools are the layouts batch recognises.
//
// IntuneBackupAndRestore (github.com/jseerden/IntuneBackupAndRestore,
// Invoke-IntuneBackup*.ps1): <path>/Device Configurations/<displayName>.json
// holds one device configuration as Graph JSON (Invoke-MgGraphRequest |
// ConvertTo-Json -Depth 100 | Out-File: UTF-16 LE under Windows PowerShell
// 5.1, UTF-8 under PowerShell 7); <path>/<kind>/Assignments/<name>.json hold
// the assignments (ConvertTo-Json at its default depth 2); other kinds have
// folders of their own ("Settings Catalog", "Device Compliance Policies",
// "Client Apps", "Administrative Templates", ...), scripts are *.ps1.
//
// IntuneManagement (github.com/Micke-K/IntuneManagement, Export-GraphObject
// in Extensions/MSGraph.psm1): <root>[/<organization>]/<object type id>/
// <displayName>[_<id>].json, with device configurations in the folder
// "DeviceConfiguration", each one object of full-metadata Graph JSON
// (annotations, $expand=assignments, "#CustomRef_..." members) written by
// ConvertTo-Json -Depth 50 | Out-File; MigrationTable.json (tenant id and
// the objects exported) and the "Groups" folder sit beside them.
var backupTools = []backupTool{
	{name: "IntuneBackupAndRestore", configs: "Device Configurations", assignments: "Assignments"},
	{name: "IntuneManagement", configs: "DeviceConfiguration", knownFiles: []string{"MigrationTable.json"}},
}

// backupWalk is the state of walking one recognised backup folder.
type backupWalk struct {
	tool *backupTool
	root string
	// configsRoot is set when the folder given is the tool's device
	// configuration folder itself, not the backup folder above it.
	configsRoot bool
	// read counts the configuration files handed on; skipped the files
	// left out, by why.
	read    int
	skipped map[string]int
	order   []string
}

func (b *backupWalk) skip(why string) {
	if b.skipped == nil {
		b.skipped = map[string]int{}
	}
	if _, ok := b.skipped[why]; !ok {
		b.order = append(b.order, why)
	}
	b.skipped[why]++
}

// summary is the notice text at the end of a backup folder.
func (b *backupWalk) summary() string {
	msg := fmt.Sprintf("read as a backup folder of %s: %d %s read (device configurations in %q)", b.tool.name, b.read, plural(b.read, "file", "files"), b.tool.configs)
	if len(b.order) == 0 {
		return msg + "; nothing else in it"
	}
	parts := make([]string, len(b.order))
	for i, why := range b.order {
		parts[i] = fmt.Sprintf("%d × %s", b.skipped[why], why)
	}
	return msg + "; skipped, as not device configurations: " + strings.Join(parts, ", ")
}

// detectBackup says which tool's backup folder dir is, from the names in it:
// the tool's configuration folder (or, for IntuneManagement, its migration
// table) must be there.
//
// A folder that is itself the device configuration folder of a tool whose
// assignments sit in a subfolder of it (IntuneBackupAndRestore's "Device
// Configurations" with its "Assignments") is recognised too, with
// configsRoot set.
func detectBackup(dir string, names []string) (*backupTool, bool) {
	for i := range backupTools {
		t := &backupTools[i]
		if filepath.Base(dir) == t.configs && t.assignments != "" && slices.Contains(names, t.assignments) {
			return t, true
		}
	}
	for i := range backupTools {
		t := &backupTools[i]
		for _, n := range names {
			if n == t.configs {
				if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && fi.IsDir() {
					return t, false
				}
			}
			if slices.Contains(t.knownFiles, n) {
				return t, false
			}
		}
	}
	return nil, false
}

// skipWhy says why a folder directly in a backup folder is not read: its
// files are another kind of policy, or the tool's own.
func (t *backupTool) skipWhy(folder string) string {
	if folder == "Groups" && t.name == "IntuneManagement" {
		return "group file (" + folder + ")"
	}
	return fmt.Sprintf("file in %q", folder)
}
