package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
)

// version is the release version, stamped by scripts/release with
// -ldflags "-X main.version=v1.2.3". Other builds leave it empty, and the
// module version the go command recorded is shown instead.
var version string

// versionInfo is what version prints; version --json prints it as is.
type versionInfo struct {
	// Version is the release (v1.2.3), the module version of a go install
	// (v1.2.3, or a pseudo-version), or "(devel)" for a build from a
	// working tree without version control information.
	Version string `json:"version"`
	// Revision, RevisionTime and Modified describe the version control
	// checkout the program was built from, when the build recorded it
	// (not with -buildvcs=false, nor in go install ...@version builds).
	Revision     string `json:"revision,omitempty"`
	RevisionTime string `json:"revisionTime,omitempty"`
	Modified     bool   `json:"modified,omitempty"`
	Go           string `json:"go"`
	Platform     string `json:"platform"`
	// AppleSchema is the copy of Apple's device-management schema the
	// compiler and lint check against.
	AppleSchema schemaInfo `json:"appleSchema"`
}

type schemaInfo struct {
	// IOS is the iOS version the copy describes, Seed that it is a beta.
	IOS  string `json:"ios"`
	Seed bool   `json:"seed"`
	// NewestReleasedIOS is the newest released iOS it describes; the
	// default --target is that version.
	NewestReleasedIOS string `json:"newestReleasedIOS"`
	DefaultTarget     string `json:"defaultTarget"`
	// Commit is the apple/device-management commit of the copy.
	Commit string `json:"commit"`
}

// currentVersion describes this program.
func currentVersion() versionInfo {
	bi, _ := debug.ReadBuildInfo()
	return buildVersion(version, bi)
}

// buildVersion describes a program whose stamped version and build
// information (nil when there is none) are given.
func buildVersion(stamped string, bi *debug.BuildInfo) versionInfo {
	rel := appleschema.SchemaRelease()
	v := versionInfo{
		Version:  stamped,
		Go:       runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
		AppleSchema: schemaInfo{IOS: rel.IOS, Seed: rel.Seed, NewestReleasedIOS: rel.NewestReleasedIOS,
			DefaultTarget: compiler.DefaultTarget().String(), Commit: rel.Commit},
	}
	if bi != nil {
		if v.Version == "" {
			v.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			v.Go = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.time":
				v.RevisionTime = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	return v
}

// printVersion prints v for people.
func printVersion(w io.Writer, v versionInfo) {
	fmt.Fprintf(w, "graph2mobileconfig %s\n", v.Version)
	if v.Revision != "" {
		rev := v.Revision
		if v.RevisionTime != "" {
			rev += " (" + v.RevisionTime + ")"
		}
		if v.Modified {
			rev += ", with uncommitted changes"
		}
		fmt.Fprintf(w, "  revision:      %s\n", rev)
	}
	fmt.Fprintf(w, "  go:            %s %s\n", v.Go, v.Platform)
	s := v.AppleSchema
	schema := "iOS " + s.IOS
	if s.Seed {
		schema += " beta seed; newest released: iOS " + s.NewestReleasedIOS
	}
	fmt.Fprintf(w, "  apple schema:  %s (apple/device-management %.12s); default target %s\n", schema, s.Commit, s.DefaultTarget)
}

func versionCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, the build and the Apple schema version it checks against",
		Description: "Prints the release version (or the module version go install recorded), the version control\n" +
			"revision when the build recorded one, the Go version and platform, and the version of Apple's\n" +
			"device-management schema that compile and lint follow. graph2mobileconfig --version prints the same.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print it as JSON"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usagef("version takes no arguments")
			}
			v := currentVersion()
			if c.Bool("json") {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			printVersion(e.stdout, v)
			return nil
		},
	}
}
