package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/mdm"
	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
)

// mdmCommandCommand prints the MDM command that installs (or removes) a
// profile, ready to send to NanoMDM or MicroMDM.
func mdmCommandCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "mdm-command",
		Usage:     "print the InstallProfile (or RemoveProfile) MDM command for a profile",
		ArgsUsage: "PROFILE.mobileconfig|-",
		Description: "Builds the MDM command that installs PROFILE (signed or not, byte for byte) on a device:\n" +
			"  --mdm nanomdm   (the default) the command plist (CommandUUID; Command: RequestType\n" +
			"                  InstallProfile, Payload <data>), the body of NanoMDM's PUT /v1/enqueue/UDID and\n" +
			"                  what other MDMs' raw-command APIs take\n" +
			"  --mdm micromdm  the JSON body of MicroMDM's POST /v1/commands (needs --udid)\n" +
			"With --remove IDENTIFIER it builds RemoveProfile for the installed profile with that\n" +
			"PayloadIdentifier instead, and takes no PROFILE. The CommandUUID is random unless\n" +
			"--command-uuid gives one. To enqueue on NanoMDM directly, use deploy.\n" +
			"Without -o the command is written to NAME.install.plist (NAME.install.json for MicroMDM), NAME\n" +
			"being PROFILE's file name without its extension, or IDENTIFIER.remove.plist with --remove;\n" +
			"-o - writes it to standard output (the rule of compile, sign and unsign). It holds the whole\n" +
			"profile, secrets included: the file is created with mode 0600.\n" +
			"A profile that still holds {{variables}} is refused: nothing on this path substitutes them, so a\n" +
			"device would get the literal text. --allow-unresolved sends it anyway, for an MDM that fills them.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "mdm", Value: "nanomdm", Usage: "the `MDM` the command is for: nanomdm (the command plist, which most MDMs take) or micromdm (JSON)"},
			&cli.StringFlag{Name: "udid", Usage: "device `UDID` that the MicroMDM JSON names (--mdm micromdm only)"},
			&cli.StringFlag{Name: "command-uuid", Usage: "CommandUUID to use, for reproducible output (default: a random `UUID`)"},
			&cli.StringFlag{Name: "remove", Usage: "build RemoveProfile instead, for the installed profile whose PayloadIdentifier is `IDENTIFIER`"},
			outputFlag("NAME.install.plist"),
			maxInputSizeFlag("inputs"),
			&cli.BoolFlag{Name: "force", Usage: "replace an output path that is a symbolic link"},
			allowUnresolvedFlag(),
		},
		Action: func(c *cli.Context) error {
			format := strings.ToLower(c.String("mdm"))
			switch format {
			case "nanomdm", "micromdm":
			case "plist": // the old --format's name for the command plist
				format = "nanomdm"
			default:
				return usagef("--mdm %q: want nanomdm or micromdm", c.String("mdm"))
			}
			remove := c.String("remove")
			switch {
			case remove != "" && c.NArg() != 0:
				return usagef("--remove builds RemoveProfile from the identifier alone; give no PROFILE")
			case remove == "" && c.NArg() != 1:
				return usagef("mdm-command takes exactly one PROFILE (a file, or - for standard input), or --remove IDENTIFIER; got %d arguments", c.NArg())
			}
			udid := c.String("udid")
			switch {
			case format == "micromdm" && udid == "":
				return usagef("--mdm micromdm needs --udid: MicroMDM's JSON names the device")
			case format != "micromdm" && udid != "":
				return usagef("--udid is for --mdm micromdm; the command plist names no device (NanoMDM takes the UDIDs in the URL; see deploy)")
			}
			if udid != "" {
				if err := mdm.CheckDeviceID(udid); err != nil {
					return usagef("--udid: %v", err)
				}
			}
			uuid := c.String("command-uuid")
			if c.IsSet("command-uuid") {
				if err := mdm.CheckCommandUUID(uuid); err != nil {
					return usagef("--command-uuid: %v", err)
				}
			} else {
				uuid = mdm.NewCommandUUID()
			}

			ext := ".plist"
			if format == "micromdm" {
				ext = ".json"
			}
			var output string
			var err error
			if remove != "" {
				if output = c.String("output"); output == "" {
					// An identifier is reverse-DNS; a separator in it
					// must not make the name a path.
					output = strings.NewReplacer("/", "_", "\\", "_").Replace(remove) + ".remove" + ext
				}
			} else {
				output, err = outputPath(c, c.Args().First(), ".install"+ext)
			}
			if err != nil {
				return err
			}
			var command []byte
			var secret bool
			if remove != "" {
				var err error
				if command, err = mdm.RemoveProfileCommand(remove, uuid); err != nil {
					return usagef("--remove: %v", err)
				}
			} else {
				path := c.Args().First()
				data, p, err := readProfile(e, path, c.Int64("max-input-size"))
				if err != nil {
					return err
				}
				if err := checkUnresolved(e, path, p, c.Bool("allow-unresolved")); err != nil {
					return err
				}
				if p.Signature == nil {
					fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s is not signed; devices show it as \"Not Verified\" (sign it first: graph2mobileconfig sign)\n", displayName(path))
				}
				if command, err = mdm.InstallProfileCommand(data, uuid); err != nil {
					return fmt.Errorf("%s: %w", displayName(path), err)
				}
				// The command carries the whole profile, which may hold
				// a VPN shared secret or an identity's password.
				secret = true
			}
			out := command
			if format == "micromdm" {
				var err error
				if out, err = mdm.MicroMDMCommandJSON(udid, command); err != nil {
					return err
				}
			}
			if err := writeOutput(e, output, out, secret, c.Bool("force")); err != nil {
				return err
			}
			noteDefaultOutput(c, e, output)
			return nil
		},
	}
}

// readProfile reads a profile file (or standard input for "-") and checks
// that it is a configuration profile a device can install.
func readProfile(e env, path string, max int64) ([]byte, *profile.Profile, error) {
	if path != "-" {
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			return nil, nil, fmt.Errorf("%s is a folder, not a profile", path)
		}
	}
	data, err := readInput(e, path, max)
	if err != nil {
		return nil, nil, err
	}
	p, err := profile.Open(data, profile.Options{MaxSize: max})
	if err == nil {
		err = p.CheckInstallable()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", displayName(path), err)
	}
	return data, p, nil
}

// allowUnresolvedFlag is the --allow-unresolved flag of mdm-command and
// deploy.
func allowUnresolvedFlag() cli.Flag {
	return &cli.BoolFlag{Name: "allow-unresolved", Usage: "send a profile that still holds {{variables}}, for an MDM that substitutes them (neither mdm-command nor deploy does)"}
}

// checkUnresolved refuses a profile that still holds {{variables}}, naming
// each one and where it sits, unless allow says an MDM will fill them; then
// it only warns. The payloads of an encrypted profile cannot be read, and
// are not checked.
func checkUnresolved(e env, path string, p *profile.Profile, allow bool) error {
	m := p.Tree()
	tokens := compiler.FindTokens(m)
	if len(tokens) == 0 {
		return nil
	}
	name := displayName(path)
	severity := "error"
	if allow {
		severity = "warning"
	}
	for _, t := range tokens {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: %s: %s: %s holds the variable %s, which nothing on this path substitutes\n", severity, name, t.Path, t.Text)
	}
	if allow {
		return nil
	}
	fmt.Fprintf(e.stderr, "graph2mobileconfig: %s holds %d {{variable}}(s) that no one would fill: a device would receive the literal text; fill them when compiling (--var NAME=VALUE), or pass --allow-unresolved if your MDM substitutes them\n", name, len(tokens))
	return failure{}
}
