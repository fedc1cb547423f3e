package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/mdm"
)

// mdmCommandCommand prints the MDM command that installs (or removes) a
// profile, ready to send to NanoMDM or MicroMDM.
func mdmCommandCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "mdm-command",
		Usage:     "print the InstallProfile (or RemoveProfile) MDM command for a profile",
		ArgsUsage: "PROFILE.mobileconfig|-",
		Description: "Builds the MDM command that installs PROFILE (signed or not, byte for byte) on a device:\n" +
			"  --format plist, nanomdm  the command plist (CommandUUID; Command: RequestType InstallProfile,\n" +
			"                           Payload <data>), the body of NanoMDM's PUT /v1/enqueue/UDID\n" +
			"                           (e.g. curl -T - -u nanomdm:KEY https://mdm.example/v1/enqueue/UDID)\n" +
			"  --format micromdm        the JSON body of MicroMDM's POST /v1/commands (needs --udid)\n" +
			"With --remove IDENTIFIER it builds RemoveProfile for the installed profile with that\n" +
			"PayloadIdentifier instead, and takes no PROFILE. The CommandUUID is random unless\n" +
			"--command-uuid gives one. To enqueue on NanoMDM directly, use deploy.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "plist", Usage: "output `FORMAT`: plist, nanomdm (the same command plist) or micromdm (JSON)"},
			&cli.StringFlag{Name: "udid", Usage: "device `UDID` that the MicroMDM JSON names (--format micromdm only)"},
			&cli.StringFlag{Name: "command-uuid", Usage: "CommandUUID to use, for reproducible output (default: a random `UUID`)"},
			&cli.StringFlag{Name: "remove", Usage: "build RemoveProfile instead, for the installed profile whose PayloadIdentifier is `IDENTIFIER`"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "-", Usage: "output `FILE` (- for standard output)"},
			maxInputSizeFlag("inputs"),
			&cli.BoolFlag{Name: "force", Usage: "replace an output path that is a symbolic link"},
		},
		Action: func(c *cli.Context) error {
			format := strings.ToLower(c.String("format"))
			switch format {
			case "plist", "nanomdm", "micromdm":
			default:
				return usagef("--format %q: want plist, nanomdm or micromdm", c.String("format"))
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
				return usagef("--format micromdm needs --udid: MicroMDM's JSON names the device")
			case format != "micromdm" && udid != "":
				return usagef("--udid is for --format micromdm; the command plist names no device (NanoMDM takes the UDIDs in the URL; see deploy)")
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
				if !p.Signed {
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
			return writeOutput(e, c.String("output"), out, secret, c.Bool("force"))
		},
	}
}

// readProfile reads a profile file (or standard input for "-") and checks
// that it is a configuration profile a device can install.
func readProfile(e env, path string, max int64) ([]byte, *mdm.Profile, error) {
	if path != "-" {
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			return nil, nil, fmt.Errorf("%s is a folder, not a profile", path)
		}
	}
	data, err := readInput(e, path, max)
	if err != nil {
		return nil, nil, err
	}
	p, err := mdm.ReadProfile(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", displayName(path), err)
	}
	return data, p, nil
}
