package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// example is one line of a command's EXAMPLES section. Every example runs
// as written from the top of a clone of the repository, on the shipped
// fixtures and the test-only PKI (fixtures/testpki), after the examples of
// the commands before it in help order (sign's make signed.mobileconfig,
// which verify's read); TestHelpExamples runs them all.
type example struct {
	about string // what it does, as a shell comment
	cmd   string // the command line, as typed in a POSIX shell
}

// The files of the examples.
const (
	exInput    = "fixtures/psk-ondemand/input.json"
	exProfile  = "fixtures/psk-ondemand/expected.mobileconfig"
	exP12      = "fixtures/testpki/client.p12"
	exPass     = "fixtures/testpki/client.p12.pass"
	exRoot     = "fixtures/testpki/root-ca.pem"
	exSignFlag = "--sign-p12 " + exP12 + " --sign-password-file " + exPass
)

// commandExamples returns the examples of the named command.
func commandExamples(command string) []example {
	switch command {
	case "compile":
		return []example{
			{"a profile from one export, with your own identifier prefix", "graph2mobileconfig compile " + exInput + " -o corp-vpn.mobileconfig --identifier-prefix com.contoso.vpn"},
			{"signed, with the signer's password read from standard input", "graph2mobileconfig compile " + exInput + " -o corp-vpn.mobileconfig --identifier-prefix com.contoso.vpn --sign-p12 " + exP12 + " --sign-password-file - < " + exPass},
			{"certificate authentication: embed the client identity and the server's CA", "graph2mobileconfig compile fixtures/machine-cert/input.json -o machine-cert.mobileconfig --identifier-prefix com.fabrikam.vpn --identity " + exP12 + " --identity-password-file " + exPass + " --server-ca " + exRoot},
			{"with the Intune SCEP and trusted-root profiles it links; written to input.mobileconfig", "graph2mobileconfig compile fixtures/scep-separate/input.json --with fixtures/scep-separate/scep.json --with fixtures/scep-separate/root.json --scep-challenge-variable SCEPChallenge --identifier-prefix com.contoso.vpn"},
			{"the outcome and diagnostics as JSON, for scripts", "graph2mobileconfig compile " + exInput + " -o corp-vpn.mobileconfig --identifier-prefix com.contoso.vpn --json --target ios:17.4"},
		}
	case "batch":
		return []example{
			{"every IKEv2 VPN of an IntuneBackupAndRestore backup, signed, with a report", "graph2mobileconfig batch fixtures/backups/IntuneBackupAndRestore --out-dir profiles --report report.json --identifier-prefix com.contoso.vpn " + exSignFlag},
			{"a Graph PowerShell SDK export, progress lines even in a log", "graph2mobileconfig batch fixtures/powershell-sdk-array/input.json --out-dir profiles --identifier-prefix com.contoso.vpn --progress"},
			{"JSON lines for scripts", "graph2mobileconfig batch fixtures/backups/IntuneManagement --out-dir profiles --identifier-prefix com.contoso.vpn --json"},
		}
	case "sign":
		return []example{
			{"sign a profile with a PKCS#12 identity", "graph2mobileconfig sign " + exProfile + " -o signed.mobileconfig " + exSignFlag},
			{"sign with a PEM certificate and key; written to expected.signed.mobileconfig", "graph2mobileconfig sign " + exProfile + " --sign-cert fixtures/testpki/client.pem --sign-key fixtures/testpki/client.key"},
			{"encrypt the payloads to a device, then sign", "graph2mobileconfig sign " + exProfile + " -o encrypted.mobileconfig --encrypt-to fixtures/testpki/client.pem " + exSignFlag},
		}
	case "verify":
		return []example{
			{"check the signature and that the signer chains to your root", "graph2mobileconfig verify signed.mobileconfig --roots " + exRoot},
			{"the report as JSON", "graph2mobileconfig verify signed.mobileconfig --roots " + exRoot + " --json"},
		}
	case "inspect":
		return []example{
			{"a summary and the XML, secrets redacted", "graph2mobileconfig inspect signed.mobileconfig"},
			{"the summary only", "graph2mobileconfig inspect " + exProfile + " --summary-only"},
			{"the payloads of an encrypted profile, as JSON", "graph2mobileconfig inspect encrypted.mobileconfig --decrypt-key fixtures/testpki/client.key --decrypt-cert fixtures/testpki/client.pem --json"},
		}
	case "unsign":
		return []example{
			{"the profile inside a signed one, byte for byte", "graph2mobileconfig unsign signed.mobileconfig -o plain.mobileconfig"},
			{"without -o: written to signed.unsigned.mobileconfig", "graph2mobileconfig unsign signed.mobileconfig"},
		}
	case "lint":
		return []example{
			{"check profiles from any tool against Apple's schema", "graph2mobileconfig lint signed.mobileconfig fixtures/eap-only/expected.mobileconfig"},
			{"for an older iOS, as JSON", "graph2mobileconfig lint fixtures/flags-false/expected.mobileconfig --target ios:17.4 --json"},
		}
	case "mapping":
		return []example{
			{"the mapping table in Markdown (docs/MAPPING.md)", "graph2mobileconfig mapping"},
			{"as JSON", "graph2mobileconfig mapping --json"},
		}
	case "mdm-command":
		return []example{
			{"the InstallProfile command; written to signed.install.plist", "graph2mobileconfig mdm-command signed.mobileconfig"},
			{"enqueue it on NanoMDM with curl (deploy does it for you)", "graph2mobileconfig mdm-command signed.mobileconfig -o - | curl -fsS -T - -u \"nanomdm:$(cat nanomdm.key)\" https://mdm.contoso.example/v1/enqueue/00008101-000A1234ABCD001E"},
			{"for MicroMDM, which names the device in its JSON", "graph2mobileconfig mdm-command signed.mobileconfig --mdm micromdm --udid 00008101-000A1234ABCD001E -o install.json"},
			{"remove an installed profile", "graph2mobileconfig mdm-command --remove com.contoso.vpn.7d3c1b8e-5f5a-4d51-9a8e-0c6f1c0d2a11 -o remove.plist"},
		}
	case "deploy":
		return []example{
			{"install a signed profile on two devices through NanoMDM", "graph2mobileconfig deploy signed.mobileconfig --nanomdm-url https://mdm.contoso.example --api-key-file nanomdm.key --udid 00008101-000A1234ABCD001E,00008101-000A1234ABCD002E"},
			{"only queue it, and print the results as JSON", "graph2mobileconfig deploy signed.mobileconfig --nanomdm-url https://mdm.contoso.example --api-key-file nanomdm.key --udid 00008101-000A1234ABCD001E --no-push --json"},
		}
	case "server-config":
		return []example{
			{"a strongSwan configuration for an export (a split tunnel to 10.0.0.0/8), without secrets", "graph2mobileconfig server-config " + exInput + " --identifier-prefix com.contoso.vpn --split-networks 10.0.0.0/8"},
			{"from a profile, with its secrets, a pool and DNS, into a file", "graph2mobileconfig server-config " + exProfile + " -o corp-vpn.conf --include-secrets --split-networks 10.0.0.0/8 --pool 10.10.10.0/24 --dns 10.0.0.53"},
		}
	case "dial":
		return []example{
			{"bring the profile's tunnel up from a network namespace (as root)", "graph2mobileconfig dial " + exProfile + " --netns vpn-client --server 192.0.2.1"},
			{"the report as JSON, with charon's log as it comes", "graph2mobileconfig dial " + exProfile + " --netns vpn-client --server 192.0.2.1 --json -v"},
		}
	case "version":
		return []example{
			{"the version, the build and Apple's schema version", "graph2mobileconfig version"},
			{"as JSON", "graph2mobileconfig version --json"},
		}
	case "completion":
		return []example{
			{"completion for bash (put it in ~/.bashrc as source <(...))", "graph2mobileconfig completion bash > graph2mobileconfig.bash"},
			{"for fish", "graph2mobileconfig completion fish > graph2mobileconfig.fish"},
		}
	case "man":
		return []example{
			{"read the manual page", "graph2mobileconfig man > graph2mobileconfig.1"},
		}
	}
	return nil
}

// helpTemplate is the help of the named command: the library's, with an
// EXAMPLES section after the options.
func helpTemplate(command string) string {
	ex := commandExamples(command)
	if len(ex) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(cli.CommandHelpTemplate, "\n"))
	b.WriteString("\n\nEXAMPLES:\n   Run from a clone of the repository (they use its fixtures and test-only keys):\n")
	for _, x := range ex {
		b.WriteString("\n   # " + templateText(x.about) + "\n   " + templateText(x.cmd) + "\n")
	}
	return b.String()
}

// templateText quotes s for a text/template: only "{{" means anything.
func templateText(s string) string {
	return strings.ReplaceAll(s, "{{", `{{"{{"}}`)
}
