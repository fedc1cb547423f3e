package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// finding is what a lint test expects: severity, code and location.
type finding struct{ sev, code, path string }

// lintFindings runs lint --json on one file and returns its findings.
func lintFindings(t *testing.T, path string, extra ...string) ([]finding, int) {
	t.Helper()
	r := runCLI(t, nil, nil, append([]string{"lint", "--json", path}, extra...)...)
	var reports []struct {
		File     string `json:"file"`
		Findings []struct {
			Severity string `json:"severity"`
			Code     string `json:"code"`
			Path     string `json:"path"`
			Message  string `json:"message"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &reports); err != nil || len(reports) != 1 {
		t.Fatalf("lint --json output: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	var out []finding
	for _, f := range reports[0].Findings {
		out = append(out, finding{f.Severity, f.Code, f.Path})
	}
	return out, r.code
}

func sortFindings(f []finding) []finding {
	out := slices.Clone(f)
	slices.SortFunc(out, func(a, b finding) int { return strings.Compare(a.path+a.code+a.sev, b.path+b.code+b.sev) })
	return out
}

// checkFindings wants exactly the expected findings: every real mistake and
// no false positive.
func checkFindings(t *testing.T, got, want []finding) {
	t.Helper()
	g, w := sortFindings(got), sortFindings(want)
	if !slices.Equal(g, w) {
		t.Errorf("findings differ\n got: %v\nwant: %v", g, w)
	}
}

// TestLintHandWrittenProfiles lints profiles written for the purpose, each
// mistake checked against Apple's schema YAML (testdata/apple-device-management).
func TestLintHandWrittenProfiles(t *testing.T) {
	cases := []struct {
		file   string
		target string
		want   []finding
	}{
		{"bool-flags.mobileconfig", "", []finding{
			// IKEv2.ExtendedAuthEnabled, EnablePFS, DisableRedirect: type <integer>, rangelist 0, 1.
			{"error", "wrong-type", "PayloadContent[0].IKEv2.ExtendedAuthEnabled"},
			{"error", "wrong-type", "PayloadContent[0].IKEv2.EnablePFS"},
			{"error", "wrong-type", "PayloadContent[0].IKEv2.DisableRedirect"},
			// CommonPayloadKeys.yaml: PayloadVersion <integer>.
			{"error", "wrong-type", "PayloadContent[0].PayloadVersion"},
			// Proxies.HTTPPort: <integer>, range 0–65535.
			{"error", "wrong-type", "PayloadContent[0].Proxies.HTTPPort"},
		}},
		{"bad-values.mobileconfig", "", []finding{
			// IKEv2.RemoteAddress: presence required.
			{"error", "missing-key", "PayloadContent[0].IKEv2"},
			// DeadPeerDetectionRate rangelist None, Low, Medium, High.
			{"error", "bad-value", "PayloadContent[0].IKEv2.DeadPeerDetectionRate"},
			// DiffieHellmanGroup rangelist 1, 2, 5, 14–21, 31, 32.
			{"error", "bad-value", "PayloadContent[0].IKEv2.IKESecurityAssociationParameters.DiffieHellmanGroup"},
			// EncryptionAlgorithm rangelist has no AES-192.
			{"error", "bad-value", "PayloadContent[0].IKEv2.IKESecurityAssociationParameters.EncryptionAlgorithm"},
			// MTU range 1280–1400.
			{"error", "out-of-range", "PayloadContent[0].IKEv2.MTU"},
			// No key OnDemandEnable in the IKEv2 dictionary.
			{"warning", "unknown-key", "PayloadContent[0].IKEv2.OnDemandEnable"},
			// OnDemandRules Action Allow: "Deprecated".
			{"warning", "deprecated-value", "PayloadContent[0].IKEv2.OnDemandRules[0]"},
			// TLSMinimumVersion '1.3': listed first by the 27.0 seed copy, with
			// no version of its own, so a warning for the default target.
			{"warning", "target-unsupported", "PayloadContent[0].IKEv2.TLSMinimumVersion"},
		}},
		{"algorithms-2026.mobileconfig", "", []finding{
			// EnforceStrictAlgorithmSelection: "doesn't allow ... Diffie-Hellman
			// groups less than 14 ... requires the encryption algorithm
			// specified for the IKE SA to be at least as cryptographically
			// strong as the algorithm specified for the child SA".
			{"error", "strict-algorithms", "PayloadContent[0].IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup"},
			{"error", "strict-algorithms", "PayloadContent[0].IKEv2.IKESecurityAssociationParameters.EncryptionAlgorithm"},
			// DiffieHellmanGroup, IntegrityAlgorithm: "1, 2, and 5 / SHA1-96
			// and SHA1-160 are available only ... prior to iOS 26".
			{"error", "target-unsupported", "PayloadContent[0].IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup"},
			{"error", "target-unsupported", "PayloadContent[0].IKEv2.ChildSecurityAssociationParameters.IntegrityAlgorithm"},
		}},
		{"algorithms-2026.mobileconfig", "ios:18.5", []finding{
			{"error", "strict-algorithms", "PayloadContent[0].IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup"},
			{"error", "strict-algorithms", "PayloadContent[0].IKEv2.IKESecurityAssociationParameters.EncryptionAlgorithm"},
			{"warning", "weak-crypto", "PayloadContent[0].IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup"},
			{"warning", "weak-crypto", "PayloadContent[0].IKEv2.ChildSecurityAssociationParameters.IntegrityAlgorithm"},
			// AllowPostQuantumKeyExchangeFallback, PostQuantumKeyExchangeMethods:
			// introduced 26.0 (the array once, not each element).
			{"warning", "target-unsupported", "PayloadContent[0].IKEv2.AllowPostQuantumKeyExchangeFallback"},
			{"warning", "target-unsupported", "PayloadContent[0].IKEv2.IKESecurityAssociationParameters.PostQuantumKeyExchangeMethods"},
		}},
		{"algorithms-2026.mobileconfig", "ios:18.0", []finding{
			// EnforceStrictAlgorithmSelection: introduced 18.5, so not enforced.
			{"warning", "target-unsupported", "PayloadContent[0].IKEv2.EnforceStrictAlgorithmSelection"},
			{"warning", "weak-crypto", "PayloadContent[0].IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup"},
			{"warning", "weak-crypto", "PayloadContent[0].IKEv2.ChildSecurityAssociationParameters.IntegrityAlgorithm"},
			{"warning", "target-unsupported", "PayloadContent[0].IKEv2.AllowPostQuantumKeyExchangeFallback"},
			{"warning", "target-unsupported", "PayloadContent[0].IKEv2.IKESecurityAssociationParameters.PostQuantumKeyExchangeMethods"},
		}},
		{"tokens-and-retired.mobileconfig", "", []finding{
			// {{variables}} no one on graph2mobileconfig's delivery path fills.
			{"warning", "unresolved-variable", "PayloadContent[0].IKEv2.LocalIdentifier"},
			{"warning", "unresolved-variable", "PayloadContent[0].UserDefinedName"},
			// A PayloadIdentifier that ends with a dot.
			{"warning", "bad-identifier", "PayloadIdentifier"},
			// IsEncrypted and HasRemovalPasscode are info only (retired keys).
		}},
		{"references.mobileconfig", "", []finding{
			// CertificateType: "the system requires a value for ServerCertificateIssuerCommonName".
			{"error", "missing-key", "PayloadContent[1].IKEv2"},
			// PayloadCertificateUUID: the identity for machine auth; a root certificate holds no key.
			{"error", "dangling-reference", "PayloadContent[1].IKEv2.PayloadCertificateUUID"},
			{"error", "dangling-reference", "PayloadContent[2].IKEv2.PayloadCertificateUUID"},
			// CommonPayloadKeys: PayloadUUID globally unique.
			{"error", "duplicate-uuid", "PayloadContent[2].PayloadUUID"},
			// TopLevel PayloadUUID: a UUID.
			{"error", "bad-uuid", "PayloadUUID"},
		}},
		{"newer-keys.mobileconfig", "", nil},
		{"bad-values.mobileconfig", "ios:27.0", []finding{
			{"error", "missing-key", "PayloadContent[0].IKEv2"},
			{"error", "bad-value", "PayloadContent[0].IKEv2.DeadPeerDetectionRate"},
			{"error", "bad-value", "PayloadContent[0].IKEv2.IKESecurityAssociationParameters.DiffieHellmanGroup"},
			{"error", "bad-value", "PayloadContent[0].IKEv2.IKESecurityAssociationParameters.EncryptionAlgorithm"},
			{"error", "out-of-range", "PayloadContent[0].IKEv2.MTU"},
			{"warning", "unknown-key", "PayloadContent[0].IKEv2.OnDemandEnable"},
			{"warning", "deprecated-value", "PayloadContent[0].IKEv2.OnDemandRules[0]"},
			// TLS 1.3 is accepted from the 27.0 copy on.
		}},
		{"newer-keys.mobileconfig", "ios:17.0", []finding{
			// ExcludeDeviceCommunication: introduced 17.4.
			{"warning", "target-unsupported", "PayloadContent[0].IKEv2.ExcludeDeviceCommunication"},
		}},
		{"newer-keys.mobileconfig", "ios:13.0", []finding{
			{"warning", "target-unsupported", "PayloadContent[0].IKEv2.ExcludeDeviceCommunication"},
			// IncludeAllNetworks and MTU: introduced 14.0.
			{"warning", "target-unsupported", "PayloadContent[0].IKEv2.IncludeAllNetworks"},
			{"warning", "target-unsupported", "PayloadContent[0].IKEv2.MTU"},
		}},
	}
	for _, c := range cases {
		t.Run(c.file+" "+c.target, func(t *testing.T) {
			var extra []string
			if c.target != "" {
				extra = []string{"--target", c.target}
			}
			got, code := lintFindings(t, repoPath("testdata", "lint", c.file), extra...)
			checkFindings(t, withoutInfo(got), c.want)
			if want := map[bool]int{true: 0, false: 1}[len(c.want) == 0]; code != want {
				t.Errorf("exit %d, want %d", code, want)
			}
		})
	}
}

func withoutInfo(f []finding) []finding {
	var out []finding
	for _, x := range f {
		if x.sev != "info" {
			out = append(out, x)
		}
	}
	return out
}

// referenceDir finds the project's reference collection of real profiles,
// which lives beside the repository rather than in it: G2M_REFERENCE_DIR
// when set, else ../shared/reference next to this checkout, else the
// workspace's /work/shared/reference (a clone made elsewhere on a build
// machine). Without it the test skips, but not under CI=true, where the
// collection must be there.
func referenceDir(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("G2M_REFERENCE_DIR")}
	if candidates[0] == "" {
		candidates = []string{repoPath("..", "shared", "reference"), "/work/shared/reference"}
	}
	for _, dir := range candidates {
		if _, err := os.Stat(filepath.Join(dir, "real-profiles")); err == nil {
			return dir
		}
	}
	testenv.SkipOrFail(t, fmt.Sprintf("reference collection not found at %s (set G2M_REFERENCE_DIR); the vendored profiles are still tested", strings.Join(candidates, " or ")))
	return ""
}

// realProfileFindings are the findings on real profiles from other tools,
// each checked by hand against Apple's schema YAML.
var realProfileFindings = map[string][]finding{
	"algo-testuser1-ikev2-cert.mobileconfig": {
		{"warning", "missing-extended-auth", "PayloadContent[0].IKEv2"},    // iOS 18 refuses IKEv2 without it (vyos PR #4382)
		{"error", "wrong-type", "PayloadContent[0].IKEv2.EnablePFS"},       // <true/> for an <integer> key
		{"info", "no-effect", "PayloadContent[0].IKEv2.OnDemandRules"},     // rules with OnDemandEnabled 0
		{"error", "wrong-type", "PayloadContent[0].PayloadVersion"},        // <real>1</real> for an <integer>
		{"warning", "unprotected-secret", "PayloadContent[1]"},             // PKCS#12 + password, unsigned
		{"info", "pem-in-der-payload", "PayloadContent[2].PayloadContent"}, // base64 of PEM text in a root payload
	},
	"buutuud-jawj-generated-eap-dh21.mobileconfig": {
		{"error", "wrong-type", "PayloadContent[0].IKEv2.EnablePFS"},
		{"error", "wrong-type", "PayloadContent[0].IKEv2.ExtendedAuthEnabled"},
	},
	"buutuud-psk-ondemand.mobileconfig": {
		{"warning", "unprotected-secret", "PayloadContent[0].IKEv2.SharedSecret"}, // the PSK in an unsigned profile
		{"error", "bad-uuid", "PayloadUUID"},                                      // "91fe5fe13059" (a host name)
	},
	"frkn-hwdsl2-generated-cert-dh14.mobileconfig": {
		{"warning", "missing-extended-auth", "PayloadContent[0].IKEv2"},
		{"error", "wrong-type", "PayloadContent[0].IKEv2.DisableRedirect"},
		{"info", "no-effect", "PayloadContent[0].IKEv2.OnDemandRules"},
		{"warning", "unprotected-secret", "PayloadContent[1]"},
	},
	"passimx-minimal-ikev2.mobileconfig": {
		{"warning", "missing-extended-auth", "PayloadContent[0].IKEv2"},            // and AuthenticationMethod None: falls back to SharedSecret
		{"warning", "duplicate-identifier", "PayloadContent[0].PayloadIdentifier"}, // same as the profile's
		{"warning", "placeholder-uuid", "PayloadContent[0].PayloadUUID"},           // 12345678-1234-…
	},
	"strongswan-wiki-AppleIKEv2Profile-eap-via-fodorxyz.mobileconfig": {
		{"error", "not-a-profile", ""}, // truncated base64 in the CA <data>
	},
}

func TestLintRealProfiles(t *testing.T) {
	check := func(t *testing.T, path string) {
		want, ok := realProfileFindings[filepath.Base(path)]
		if !ok {
			t.Fatalf("no expectation for %s", path)
		}
		got, code := lintFindings(t, path)
		checkFindings(t, got, want)
		if code != 1 {
			t.Errorf("exit %d, want 1 (findings)", code)
		}
	}
	t.Run("vendored", func(t *testing.T) {
		check(t, repoPath("testdata", "real-profiles", "passimx-minimal-ikev2.mobileconfig"))
	})
	t.Run("reference", func(t *testing.T) {
		files, _ := filepath.Glob(filepath.Join(referenceDir(t), "real-profiles", "*.mobileconfig"))
		if len(files) != len(realProfileFindings) {
			t.Errorf("%d reference profiles, %d expectations", len(files), len(realProfileFindings))
		}
		for _, f := range files {
			t.Run(filepath.Base(f), func(t *testing.T) { check(t, f) })
		}
	})
	t.Run("signed", func(t *testing.T) {
		// A DNS settings profile, signed: its payload type is not one lint
		// knows (info only), and signing waives the secrets check.
		got, code := lintFindings(t, repoPath("testdata", "real-profiles", "signed", "paulmillr-encrypted-dns-adguard-default-https.signed.mobileconfig"))
		checkFindings(t, got, []finding{{"info", "unchecked-payload", "PayloadContent[0]"}})
		if code != 0 {
			t.Errorf("exit %d, want 0", code)
		}
	})
}

// TestLintOwnOutputIsClean lints every compiled fixture for the target it
// was compiled for: the only findings are those the compile itself warned
// about (secrets in unsigned profiles, {{variables}} left for an MDM, weak
// algorithms an older target accepts).
func TestLintOwnOutputIsClean(t *testing.T) {
	files, _ := filepath.Glob(repoPath("fixtures", "*", "expected.mobileconfig"))
	if len(files) < 8 {
		t.Fatalf("only %d compiled fixtures", len(files))
	}
	for _, f := range files {
		args := []string{"lint", f}
		if data, err := os.ReadFile(filepath.Join(filepath.Dir(f), "args")); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(line), "--target "); ok {
					args = append(args, "--target", v)
				}
			}
		}
		r := runCLI(t, nil, nil, args...)
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if !strings.HasSuffix(line, ": ok") && !strings.Contains(line, "neither signed nor encrypted") &&
				!strings.Contains(line, "is a variable for an MDM") && !strings.Contains(line, "which is weak; the target") {
				t.Errorf("unexpected finding on our own output: %s", line)
			}
		}
	}
}

func TestLintUsage(t *testing.T) {
	if r := runCLI(t, nil, nil, "lint"); r.code != exitUsage {
		t.Errorf("lint without files: exit %d", r.code)
	}
	if r := runCLI(t, nil, nil, "lint", "--target", "android:14", "x"); r.code != exitUsage {
		t.Errorf("bad target: exit %d", r.code)
	}
	r := runCLI(t, nil, nil, "lint", filepath.Join(t.TempDir(), "missing.mobileconfig"))
	if r.code != exitError || !strings.Contains(r.stdout, "cannot read") {
		t.Errorf("missing file: exit %d %s", r.code, r.stdout)
	}
}

// TestLintCompiledSCEPFixtures compiles every SCEP fixture and lints the
// profile, unsigned and as if signed: lint finds exactly the {{variables}}
// the compile warned about, in the same keys (the compile's mdm-variable
// warnings and lint's unresolved-variable findings name the key alike),
// plus, unsigned, the unprotected SCEP challenge when it is a literal
// secret; nothing else, not even an info.
func TestLintCompiledSCEPFixtures(t *testing.T) {
	files, _ := filepath.Glob(repoPath("fixtures", "scep-*", "expected.mobileconfig"))
	if len(files) < 3 {
		t.Fatalf("only %d compiled SCEP fixtures", len(files))
	}
	pki := testPKI(t)
	for _, f := range files {
		dir := filepath.Dir(f)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.mobileconfig")
			args := append([]string{"compile", filepath.Join(dir, "input.json"), "-o", out, "--json"}, fixtureArgs(t, dir, pki)...)
			r := runCLI(t, nil, nil, args...)
			if r.code != exitOK {
				t.Fatalf("compile: exit %d\n%s", r.code, r.stderr)
			}
			var compiled []string
			for _, d := range parseReport(t, r.stdout) {
				if d.Code == "mdm-variable" {
					compiled = append(compiled, tokenIn(d.Message)+" in "+d.Key)
				}
			}
			profile, _, err := plistout.Decode(readOrFail(t, out))
			if err != nil {
				t.Fatal(err)
			}
			challenge, _ := scepContent(t, profile)["Challenge"].(string)
			literal := challenge != "" && !strings.Contains(challenge, "{{")
			for _, signed := range []bool{false, true} {
				var linted []string
				secret := false
				for _, d := range compiler.Lint(profile, compiler.LintOptions{Signed: signed}) {
					switch {
					case d.Code == "unresolved-variable" && d.Severity == diag.Warning:
						linted = append(linted, tokenIn(d.Message)+" in "+d.Key)
					case d.Code == "unprotected-secret" && d.Key == "com.apple.security.scep.PayloadContent.Challenge" && !signed:
						secret = true
					default:
						t.Errorf("signed %v: unexpected lint finding: %s", signed, d)
					}
				}
				slices.Sort(compiled)
				slices.Sort(linted)
				if !slices.Equal(compiled, linted) {
					t.Errorf("signed %v: lint finds the variables\n  %q\nthe compile warned about\n  %q", signed, linted, compiled)
				}
				if secret != (literal && !signed) {
					t.Errorf("signed %v: unprotected challenge reported %v, want %v", signed, secret, literal && !signed)
				}
			}
			if len(compiled) == 0 {
				t.Error("the fixture leaves no variable: the comparison proves nothing")
			}
		})
	}
}

// tokenIn returns the first {{variable}} a message names.
func tokenIn(msg string) string {
	i := strings.Index(msg, "{{")
	j := strings.Index(msg[max(i, 0):], "}}")
	if i < 0 || j < 0 {
		return ""
	}
	return msg[i : i+j+2]
}
