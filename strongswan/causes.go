package strongswan

import (
	"crypto/x509"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Cause names why a dial failed.
type Cause string

// The causes a dial reports. The first six are the failures a profile and a
// server most often disagree on.
const (
	CauseProposalMismatch           Cause = "proposal-mismatch"
	CauseAuthenticationFailed       Cause = "authentication-failed"
	CauseServerCertificateUntrusted Cause = "server-certificate-untrusted"
	CauseServerIdentityMismatch     Cause = "server-identity-mismatch"
	CauseUnreachable                Cause = "unreachable"
	CauseTimeout                    Cause = "timeout"
	// CauseTrafficSelectors: the server refused the traffic selectors
	// (iOS asks for everything, 0.0.0.0/0 and ::/0).
	CauseTrafficSelectors Cause = "traffic-selectors-unacceptable"
	// CauseVirtualIP: the server assigned no virtual IP (no pool).
	CauseVirtualIP Cause = "no-virtual-ip"
	// CauseRefusedRoute: the tunnel came up but was torn down at once to
	// keep the host's routing (a running charon that installs routes).
	CauseRefusedRoute Cause = "refused-full-tunnel"
	// CauseInternal: the failure matches no known pattern; the report
	// carries the log.
	CauseInternal Cause = "unknown"
)

// diagnosis is a classified failure.
type diagnosis struct {
	Cause   Cause
	Pattern string
	// Evidence is the log line the cause was read from.
	Evidence string
	Reason   string
	Details  []string
	// probe asks for the identity probe (AUTHENTICATION_FAILED from the
	// server can mean a wrong secret or a wrong RemoteIdentifier).
	probe bool
}

// logPattern is one log message of strongSwan 5.9.8's initiator that
// names a cause. The integration tests run a failing dial for each pattern
// against a real charon and check that it matched, so that a change of
// wording in strongSwan fails a test rather than a user.
type logPattern struct {
	ID    string
	Cause Cause
	Re    *regexp.Regexp
	// Example is the message as strongSwan 5.9.8 logs it.
	Example string
	explain func(t *Tunnel, m []string, lines []LogLine, opts DialOptions) diagnosis
}

// reServerAuthenticated finds the server's identity once it is
// authenticated.
var reServerAuthenticated = regexp.MustCompile(`^authentication of '(.*)' with .* successful$`)

// logPatterns are tried in order; the first that matches a line wins, so
// the specific ones come before the general ones.
var logPatterns = []logPattern{
	{
		ID: "ike-no-proposal", Cause: CauseProposalMismatch,
		Re:      regexp.MustCompile(`^received NO_PROPOSAL_CHOSEN notify error$`),
		Example: "received NO_PROPOSAL_CHOSEN notify error",
		explain: func(t *Tunnel, _ []string, _ []LogLine, _ DialOptions) diagnosis {
			return diagnosis{
				Reason: "the server accepts none of the IKE proposals the device sends",
				Details: []string{
					"the device offered IKE " + strings.Join(describeAll(t.IKE), "; "),
					"the server answered NO_PROPOSAL_CHOSEN without saying what it accepts (the server's log lists its configured proposals)",
				},
			}
		},
	},
	{
		ID: "child-no-proposal", Cause: CauseProposalMismatch,
		Re:      regexp.MustCompile(`^received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built$`),
		Example: "received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built",
		explain: func(t *Tunnel, _ []string, _ []LogLine, _ DialOptions) diagnosis {
			return diagnosis{
				Reason: "the IKE SA came up, but the server accepts none of the ESP (child SA) proposals the device sends",
				Details: []string{
					"the device offered ESP " + strings.Join(describeAll(t.ESP), "; "),
					"the server answered NO_PROPOSAL_CHOSEN without saying what it accepts (the server's log lists its configured proposals)",
				},
			}
		},
	},
	{
		ID: "ts-not-acceptable-here", Cause: CauseTrafficSelectors,
		Re:      regexp.MustCompile(`^no acceptable traffic selectors found$`),
		Example: "no acceptable traffic selectors found",
		explain: func(t *Tunnel, _ []string, _ []LogLine, _ DialOptions) diagnosis {
			return diagnosis{Reason: "the server narrowed the device's own traffic selector to something other than the virtual IP it assigned (its remote_ts does not cover its pool)"}
		},
	},
	{
		ID: "ts-unacceptable", Cause: CauseTrafficSelectors,
		Re:      regexp.MustCompile(`^received TS_UNACCEPTABLE notify, no CHILD_SA built$`),
		Example: "received TS_UNACCEPTABLE notify, no CHILD_SA built",
		explain: func(t *Tunnel, _ []string, _ []LogLine, _ DialOptions) diagnosis {
			return diagnosis{Reason: "the server refused the traffic selectors: the device asks for 0.0.0.0/0 and ::/0 with a virtual IP, so the server needs a pool and local_ts that it can narrow"}
		},
	},
	{
		ID: "no-virtual-ip", Cause: CauseVirtualIP,
		Re:      regexp.MustCompile(`^received INTERNAL_ADDRESS_FAILURE notify, no CHILD_SA built$`),
		Example: "received INTERNAL_ADDRESS_FAILURE notify, no CHILD_SA built",
		explain: func(t *Tunnel, _ []string, _ []LogLine, _ DialOptions) diagnosis {
			return diagnosis{Reason: "the server assigned no virtual IP address, which the device requires (give the server an address pool)"}
		},
	},
	{
		ID: "server-cert-untrusted", Cause: CauseServerCertificateUntrusted,
		Re:      regexp.MustCompile(`^no issuer certificate found for "(.*)"$`),
		Example: `no issuer certificate found for "O=graph2mobileconfig tests, CN=vpn.test.example"`,
		explain: func(t *Tunnel, m []string, lines []LogLine, _ DialOptions) diagnosis {
			d := diagnosis{
				Reason:  fmt.Sprintf("the server certificate %q is not issued by a CA the profile carries", m[1]),
				Details: []string{"the device trusts " + describeAnchors(t.TrustAnchors)},
			}
			for _, l := range lines {
				if im := reIssuerIs.FindStringSubmatch(l.Msg); im != nil {
					d.Details = append(d.Details, fmt.Sprintf("the server certificate's issuer is %q", im[1]))
				}
			}
			return d
		},
	},
	{
		ID: "server-cert-names-no-id", Cause: CauseServerIdentityMismatch,
		Re:      regexp.MustCompile(`^no trusted (?:[A-Z0-9]+ )?public key found for '(.*)'$`),
		Example: "no trusted RSA public key found for 'vpn.test.example'",
		explain: func(t *Tunnel, m []string, lines []LogLine, _ DialOptions) diagnosis {
			d := diagnosis{Reason: fmt.Sprintf("the server's certificate does not name the profile's RemoteIdentifier %q (the device checks that the certificate names it as a subjectAltName)", m[1])}
			for _, l := range lines {
				if cm := reEndEntityCert.FindStringSubmatch(l.Msg); cm != nil {
					d.Details = append(d.Details, fmt.Sprintf("the server sent the certificate %q", cm[1]))
				}
			}
			return d
		},
	},
	{
		ID: "eap-failure", Cause: CauseAuthenticationFailed,
		Re:      regexp.MustCompile(`^(EAP_[A-Z0-9_]+) method failed$`),
		Example: "EAP_MSCHAPV2 method failed",
		explain: func(t *Tunnel, m []string, lines []LogLine, opts DialOptions) diagnosis {
			d := diagnosis{Reason: fmt.Sprintf("the server refused the device's credentials in the EAP round (%s)", m[1])}
			if t.Auth.Client == MethodEAPMSCHAPv2 {
				if t.EAPUser != "" {
					d.Details = append(d.Details, fmt.Sprintf("EAP identity: %q, the profile's AuthName", t.EAPUser))
				} else {
					d.Details = append(d.Details, fmt.Sprintf("EAP identity: %q, given for this dial (the profile has no AuthName)", opts.EAPUser))
				}
			}
			for _, l := range lines {
				if em := reEAPError.FindStringSubmatch(l.Msg); em != nil {
					d.Details = append(d.Details, "the server said "+em[1])
				}
			}
			return d
		},
	},
	{
		ID: "auth-failed-notify", Cause: CauseAuthenticationFailed,
		Re:      regexp.MustCompile(`^received AUTHENTICATION_FAILED notify error$`),
		Example: "received AUTHENTICATION_FAILED notify error",
		explain: func(t *Tunnel, _ []string, lines []LogLine, _ DialOptions) diagnosis {
			round := "the device's IKE authentication"
			switch t.Auth.Client {
			case MethodPSK:
				round = "the device's shared-secret round"
			case MethodPubkey:
				round = "the device's certificate round"
			case MethodEAPMSCHAPv2, MethodEAPTLS:
				round = "the device's EAP round"
				for _, l := range lines {
					if reEAPSucceeded.MatchString(l.Msg) {
						round = "the final AUTH round after EAP"
					}
				}
			}
			id := t.LocalIdentifier
			if id == "" {
				id = "(the device's IP address: LocalIdentifier is empty)"
			}
			return diagnosis{
				Reason: "the server refused " + round + " (AUTHENTICATION_FAILED)",
				Details: []string{
					"the device authenticated as " + id + " with " + describeAuth(t),
					"a strongSwan server also answers AUTHENTICATION_FAILED when it has no connection for the RemoteIdentifier the device asks for",
				},
				probe: true,
			}
		},
	},
	{
		ID: "unresolvable", Cause: CauseUnreachable,
		Re:      regexp.MustCompile(`^unable to resolve (.*), initiate aborted$`),
		Example: "unable to resolve vpn.does-not-exist.invalid, initiate aborted",
		explain: func(t *Tunnel, m []string, _ []LogLine, _ DialOptions) diagnosis {
			return diagnosis{Reason: fmt.Sprintf("the server address %s does not resolve", m[1])}
		},
	},
	{
		ID: "peer-not-responding", Cause: CauseUnreachable,
		Re:      regexp.MustCompile(`^giving up after \d+ retransmits$`),
		Example: "giving up after 1 retransmits",
		explain: func(t *Tunnel, _ []string, lines []LogLine, _ DialOptions) diagnosis {
			return unanswered(lines, "the server never answered")
		},
	},
}

var (
	reEndEntityCert = regexp.MustCompile(`^received end entity cert "(.*)"$`)
	reIssuerIs      = regexp.MustCompile(`^\s*issuer is "(.*)"$`)
	reEAPSucceeded  = regexp.MustCompile(`^EAP method .* succeeded`)
	reEAPError      = regexp.MustCompile(`^EAP-MS-CHAPv2 failed with error ([A-Z_]+)`)
	reReceived      = regexp.MustCompile(`^received packet: from `)
	reTrustedCA     = regexp.MustCompile(`^\s*using trusted (?:intermediate )?ca certificate "(.*)"$`)
	reUsingCert     = regexp.MustCompile(`^\s*using certificate "(.*)"$`)
)

// classify reads the control-log of a failed initiate, which took elapsed
// of the dial with opts.
func classify(lines []LogLine, initErr error, t *Tunnel, elapsed time.Duration, opts DialOptions) diagnosis {
	timeout := opts.Timeout
	for _, p := range logPatterns {
		for _, l := range lines {
			m := p.Re.FindStringSubmatch(l.Msg)
			if m == nil {
				continue
			}
			d := p.explain(t, m, lines, opts)
			if d.Cause == "" {
				d.Cause = p.Cause
			}
			d.Pattern, d.Evidence = p.ID, l.Msg
			return d
		}
	}
	msg := ""
	if initErr != nil {
		msg = initErr.Error()
	}
	if strings.Contains(msg, "timed out") || strings.Contains(msg, "timeout") || elapsed >= timeout {
		d := unanswered(lines, "the negotiation did not finish")
		d.Pattern = "initiate-timeout"
		d.Details = append(d.Details, withHint(fmt.Sprintf("dial gave up after %s", timeout), hint(opts.Hints, HintTimeout, "", "strongswan.DialOptions.Timeout sets the limit")))
		return d
	}
	d := diagnosis{Cause: CauseInternal, Pattern: "unknown", Reason: "the negotiation failed for a reason dial does not recognize: " + msg}
	for _, l := range lastLines(lines, 5) {
		d.Details = append(d.Details, l.String())
	}
	return d
}

// unanswered tells an unreachable server (nothing ever came back) from a
// negotiation that started and then stalled.
func unanswered(lines []LogLine, what string) diagnosis {
	for _, l := range lines {
		if reReceived.MatchString(l.Msg) {
			return diagnosis{Cause: CauseTimeout, Reason: what + ": the server answered at first and then stopped"}
		}
	}
	return diagnosis{Cause: CauseUnreachable, Reason: what + ": no packet came back from the server (it is down, filtered, or not at that address)"}
}

func lastLines(lines []LogLine, n int) []LogLine {
	if len(lines) > n {
		return lines[len(lines)-n:]
	}
	return lines
}

func describeAll(ps []Proposal) []string {
	var out []string
	for _, p := range ps {
		out = append(out, describeProposal(p))
	}
	return out
}

func describeAnchors(certs []*x509.Certificate) string {
	if len(certs) == 0 {
		return "no CA (the profile carries no certificate payload)"
	}
	var names []string
	for _, c := range certs {
		names = append(names, fmt.Sprintf("%q", c.Subject.String()))
	}
	return strings.Join(names, ", ")
}

// checkServerNames applies ServerCertificateCommonName and
// ServerCertificateIssuerCommonName to the server certificate the log
// names, as the device does after the certificate verifies.
func checkServerNames(t *Tunnel, lines []LogLine) (diagnosis, bool) {
	if t.Auth.Server != MethodPubkey || (t.ServerCertCN == "" && t.ServerIssuerCN == "") {
		return diagnosis{}, true
	}
	var subject, issuer string
	for i, l := range lines {
		if m := reUsingCert.FindStringSubmatch(l.Msg); m != nil && subject == "" {
			subject = m[1]
			for _, next := range lines[i+1:] {
				if im := reTrustedCA.FindStringSubmatch(next.Msg); im != nil {
					issuer = im[1]
					break
				}
			}
		}
	}
	d := diagnosis{}
	if subject == "" {
		d.Details = append(d.Details, "the server certificate's names were not in the log, so ServerCertificateCommonName and ServerCertificateIssuerCommonName were not checked")
		return d, true
	}
	if t.ServerCertCN != "" {
		cn := dnCommonName(subject)
		if cn != t.ServerCertCN {
			return diagnosis{Cause: CauseServerIdentityMismatch, Pattern: "server-cert-cn",
				Reason: fmt.Sprintf("the server certificate's common name is %q, not ServerCertificateCommonName %q", cn, t.ServerCertCN)}, false
		}
		d.Details = append(d.Details, fmt.Sprintf("ServerCertificateCommonName %q matches the server certificate %q", t.ServerCertCN, subject))
	}
	if t.ServerIssuerCN != "" {
		cn := dnCommonName(issuer)
		if cn != t.ServerIssuerCN {
			return diagnosis{Cause: CauseServerCertificateUntrusted, Pattern: "server-issuer-cn",
				Reason: fmt.Sprintf("the server certificate is issued by %q, whose common name is not ServerCertificateIssuerCommonName %q", issuer, t.ServerIssuerCN)}, false
		}
		d.Details = append(d.Details, fmt.Sprintf("ServerCertificateIssuerCommonName %q matches the issuer %q", t.ServerIssuerCN, issuer))
	}
	return d, true
}

// dnCommonName reads the CN of a DN as strongSwan prints it
// ("O=Example, CN=vpn.example").
func dnCommonName(dn string) string {
	for _, part := range strings.Split(dn, ", ") {
		if v, ok := strings.CutPrefix(part, "CN="); ok {
			return v
		}
	}
	return ""
}

func isSelfSigned(c *x509.Certificate) bool {
	return c.CheckSignatureFrom(c) == nil
}

// LogPatterns lists the log patterns behind the causes, for documentation.
func LogPatterns() []struct{ ID, Cause, Example string } {
	var out []struct{ ID, Cause, Example string }
	for _, p := range logPatterns {
		out = append(out, struct{ ID, Cause, Example string }{p.ID, string(p.Cause), p.Example})
	}
	return out
}
