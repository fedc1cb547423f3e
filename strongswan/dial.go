package strongswan

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/strongswan/govici/vici"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// DialOptions control Dial.
type DialOptions struct {
	// VICI is the address of a running charon (unix:///path/charon.vici);
	// empty starts a private charon for the dial and stops it afterwards.
	VICI string
	// StrongswanConf is the settings file of the charon at VICI, read to
	// learn whether it installs routes; empty means /etc/strongswan.conf.
	StrongswanConf string
	// Dir is the folder of the private charon; empty means a temporary
	// folder, removed afterwards.
	Dir string
	// Charon is the daemon binary of the private charon (empty: FindCharon).
	Charon string
	// Netns starts the private charon in this network namespace.
	Netns string
	// Route lets the daemon install routes and the virtual IP. Without it
	// the private charon runs with install_routes = no, and a running charon
	// that installs routes is refused a full-tunnel profile.
	Route bool
	// Timeout bounds the negotiation; an unanswered server is given up
	// within it (default 30 s).
	Timeout time.Duration
	// Server connects to this address instead of the profile's
	// RemoteAddress (the identities stay the profile's).
	Server string
	// EAPUser and EAPPassword are the EAP-MSCHAPv2 credentials when the
	// profile has no AuthName/AuthPassword (the device would ask the user).
	EAPUser, EAPPassword string
	// Hold keeps the tunnel up this long before it is torn down.
	Hold time.Duration
	// OnLog receives every control-log line as it arrives.
	OnLog func(LogLine)
	// NoProbe skips the second attempt that tells a wrong server identity
	// from a failed authentication.
	NoProbe bool
	// Hints, when set, says the remedies that lie in the caller's options
	// in its own words (see HintCodes), in errors and the report; nil
	// keeps the Go API's.
	Hints diag.HintFunc
}

// DefaultDialTimeout is the negotiation timeout when DialOptions has none.
const DefaultDialTimeout = 30 * time.Second

// DialReport is the outcome of Dial.
type DialReport struct {
	// OK is set when the CHILD_SA is installed.
	OK bool `json:"ok"`
	// Cause names the failure; empty when OK.
	Cause Cause `json:"cause,omitempty"`
	// Reason says what happened, in one sentence.
	Reason string `json:"reason,omitempty"`
	// Details are what is known of both sides.
	Details []string `json:"details,omitempty"`
	// Pattern is the id of the log pattern the cause was read from, and
	// Evidence the log line it matched.
	Pattern  string `json:"pattern,omitempty"`
	Evidence string `json:"evidence,omitempty"`
	// Offered is what the device side offered and expected.
	Offered Offer `json:"profile"`
	// Daemon is the charon that dialed.
	Daemon DaemonInfo `json:"daemon"`
	// IKESA and ChildSA are the negotiated SAs, when they came up.
	IKESA   *IKESA   `json:"ikeSa,omitempty"`
	ChildSA *ChildSA `json:"childSa,omitempty"`
	// Checks are the checks dial made beyond strongSwan's own
	// (ServerCertificateCommonName, ServerCertificateIssuerCommonName).
	Checks []string `json:"checks,omitempty"`
	// Notes are keys of the profile whose effect only a device shows.
	Notes []string `json:"notes,omitempty"`
	// Log is the control-log of the negotiation.
	Log []LogLine `json:"log"`
	// Elapsed is how long the negotiation took.
	Elapsed time.Duration `json:"elapsedNs"`
}

// Offer is the device side of a dial.
type Offer struct {
	Server         string `json:"server"`
	LocalID        string `json:"localId"`
	RemoteID       string `json:"remoteId"`
	Authentication string `json:"authentication"`
	// Identity describes the client certificate the device side presents,
	// and where it comes from; IdentityMismatch says how a given identity
	// differs from what the profile's SCEP payload would enroll.
	Identity         string   `json:"identity,omitempty"`
	IdentityMismatch []string `json:"identityMismatch,omitempty"`
	IKEProposals     []string `json:"ikeProposals"`
	ESPProposals     []string `json:"espProposals"`
	ProposalSource   string   `json:"proposalSource"`
	FullTunnel       bool     `json:"fullTunnel"`
}

// DaemonInfo describes the charon that dialed.
type DaemonInfo struct {
	Private bool   `json:"private"`
	VICI    string `json:"vici"`
	Name    string `json:"name"`
	Version string `json:"version"`
	RoutePolicy
	// Netns is the network namespace of a private charon.
	Netns string `json:"netns,omitempty"`
}

// ErrFullTunnelRefused is returned when a running charon that installs
// routes would be asked to bring up a full tunnel without DialOptions.Route.
var ErrFullTunnelRefused = errors.New("refused: the profile is a full tunnel and the running charon installs routes, which would send this host's traffic through the tunnel")

// CheckDialable reports what a tunnel lacks for a dial: an identity the
// profile does not carry, EAP credentials, unresolved MDM variables. Each is
// a *HintError, whose hint names what to give.
func CheckDialable(t *Tunnel, opts DialOptions) error {
	for _, f := range []struct{ key, val string }{
		{"RemoteAddress", t.RemoteAddress}, {"RemoteIdentifier", t.RemoteIdentifier}, {"LocalIdentifier", t.LocalIdentifier},
	} {
		if tok := UnresolvedToken(f.val); tok != "" && !(f.key == "RemoteAddress" && opts.Server != "") {
			return &HintError{Err: fmt.Errorf("%s.%s holds the MDM variable %s, which the MDM fills on each device", t.Where, f.key, tok), Hint: varHint(opts.Hints, tok)}
		}
	}
	if (t.Auth.Client == MethodPubkey || t.Auth.Client == MethodEAPTLS) && t.Identity == nil {
		return &HintError{Err: fmt.Errorf("%s authentication needs the client identity, and %s", t.Auth.Client, t.IdentityProblem),
			Hint: hint(opts.Hints, HintClientIdentity, "", "give it in strongswan.ReadOptions.Identity")}
	}
	if t.Auth.Client == MethodEAPMSCHAPv2 {
		if t.EAPUser == "" && opts.EAPUser == "" {
			return &HintError{Err: errors.New("EAP-MSCHAPv2 needs a user name: the profile has no AuthName (the device asks the user)"),
				Hint: hint(opts.Hints, HintEAPUser, "", "set strongswan.DialOptions.EAPUser")}
		}
		if t.EAPPassword == "" && opts.EAPPassword == "" {
			return &HintError{Err: errors.New("EAP-MSCHAPv2 needs a password: the profile has no AuthPassword (the device asks the user)"),
				Hint: hint(opts.Hints, HintEAPPassword, "", "set strongswan.DialOptions.EAPPassword")}
		}
	}
	return nil
}

// privateRoutePolicy says whether a private charon installs routes.
func privateRoutePolicy(route bool) RoutePolicy {
	if route {
		return RoutePolicy{Installs: true, Because: "private charon started for this dial with install_routes = yes"}
	}
	return RoutePolicy{Because: "private charon started for this dial with install_routes = no"}
}

// routeHint is the remedy for a full tunnel over a charon that installs
// routes.
func routeHint(f diag.HintFunc) diag.Hint {
	return hint(f, HintRoute, "", "set strongswan.DialOptions.Route to accept that, or dial with a private charon (no DialOptions.VICI)")
}

// fullTunnelRefused is the error of a full-tunnel profile and a running
// charon that installs routes.
func fullTunnelRefused(t *Tunnel, policy RoutePolicy, f diag.HintFunc) error {
	return &HintError{Err: fmt.Errorf("%w (%s; %s)", ErrFullTunnelRefused, t.FullTunnelBecause, policy.Because), Hint: routeHint(f)}
}

// refusedRoute is the diagnosis of a full-tunnel traffic selector that a
// running charon that installs routes was given.
func refusedRoute(remoteTS []string, f diag.HintFunc) diagnosis {
	return diagnosis{Cause: CauseRefusedRoute, Reason: withHint("the server sent a full-tunnel traffic selector ("+strings.Join(remoteTS, ", ")+
		") and the running charon installs routes, so the tunnel was torn down at once", routeHint(f))}
}

// Dial brings a tunnel up the way the device would and reports the
// outcome. It returns an error when it cannot try (no charon, a refused
// full tunnel, a tunnel that lacks credentials: a *HintError when the
// remedy lies in the options); a failed negotiation is a report with a
// Cause.
func Dial(ctx context.Context, t *Tunnel, opts DialOptions) (*DialReport, error) {
	if err := CheckDialable(t, opts); err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultDialTimeout
	}
	rep := &DialReport{Offered: offer(t, opts), Notes: t.Notes, Log: []LogLine{}}

	var conn *Conn
	if opts.VICI == "" {
		dir := opts.Dir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "graph2mobileconfig-dial-")
			if err != nil {
				return nil, err
			}
			defer os.RemoveAll(tmp)
			dir = tmp
		}
		d, err := StartDaemon(ctx, DaemonOptions{
			Dir: dir, Charon: opts.Charon, Netns: opts.Netns, InstallRoutes: opts.Route,
			FollowRedirects: t.FollowRedirect, KeepAlive: t.NATKeepAlive, Revocation: t.RevocationCheck,
			TLSMin: t.TLSMin, TLSMax: t.TLSMax, Retransmit: opts.Timeout * 4 / 5,
		})
		if err != nil {
			return nil, err
		}
		defer d.Stop()
		if conn, err = Connect("unix://" + d.Socket); err != nil {
			return nil, err
		}
		rep.Daemon = DaemonInfo{Private: true, VICI: "unix://" + d.Socket, Netns: opts.Netns, RoutePolicy: privateRoutePolicy(opts.Route)}
	} else {
		var err error
		if conn, err = Connect(opts.VICI); err != nil {
			return nil, err
		}
		rep.Daemon = DaemonInfo{VICI: opts.VICI}
	}
	defer conn.Close()
	var err error
	if rep.Daemon.Name, rep.Daemon.Version, err = conn.Version(ctx); err != nil {
		return nil, err
	}
	if !rep.Daemon.Private {
		conf := opts.StrongswanConf
		if conf == "" {
			conf = DefaultStrongswanConf
		}
		policy, err := ReadRoutePolicy(conf, rep.Daemon.Name)
		if err != nil {
			policy.Because += fmt.Sprintf(" (%v)", err)
		}
		rep.Daemon.RoutePolicy = policy
		if policy.Installs && !opts.Route && t.FullTunnel {
			return rep, fullTunnelRefused(t, policy, opts.Hints)
		}
	}
	if hasPostQuantum(t) && versionBefore(rep.Daemon.Version, "6.0") {
		if !t.PostQuantumFallback {
			return rep, fmt.Errorf("the profile asks for post-quantum key exchanges (PostQuantumKeyExchangeMethods), which strongSwan %s cannot do (6.0 or newer with ML-KEM)", rep.Daemon.Version)
		}
		// AllowPostQuantumKeyExchangeFallback: the device connects without
		// them to a server that does not do them; so does dial.
		pq := *t
		pq.IKE, pq.ESP = withoutPostQuantum(t.IKE), withoutPostQuantum(t.ESP)
		t = &pq
		rep.Offered.IKEProposals, rep.Offered.ESPProposals = proposalStrings(t.IKE, true), proposalStrings(t.ESP, false)
		rep.Notes = append(rep.Notes, fmt.Sprintf("the post-quantum key exchanges were left out: strongSwan %s has no ML-KEM, and the profile allows the fallback", rep.Daemon.Version))
	}

	name := "graph2mobileconfig-dial"
	if !rep.Daemon.Private {
		name += "-" + randomSuffix()
	}
	s := &session{conn: conn, t: t, opts: opts, name: name, private: rep.Daemon.Private}
	defer s.cleanup()
	if err := s.loadCredentials(ctx); err != nil {
		return rep, err
	}
	if err := conn.LoadConn(ctx, name, s.connection(false)); err != nil {
		return rep, err
	}
	s.conns = append(s.conns, name)

	start := time.Now()
	lines, initErr := conn.Initiate(ctx, name, name, opts.Timeout, 1, opts.OnLog)
	rep.Log = append(rep.Log, lines...)
	rep.Elapsed = time.Since(start)
	if ctx.Err() != nil {
		return rep, ctx.Err()
	}
	if initErr == nil {
		s.established(ctx, rep)
	} else {
		d := classify(rep.Log, initErr, t, rep.Elapsed, opts)
		rep.apply(d)
		if d.Cause == CauseAuthenticationFailed && d.probe && !opts.NoProbe {
			s.probeIdentity(ctx, rep)
		}
	}
	s.terminateAll(ctx, name)
	return rep, nil
}

func (rep *DialReport) apply(d diagnosis) {
	rep.OK = false
	rep.Cause, rep.Reason, rep.Pattern, rep.Evidence = d.Cause, d.Reason, d.Pattern, d.Evidence
	rep.Details = append(rep.Details, d.Details...)
}

// established fills the report of a successful initiate and runs the
// device's own certificate name checks.
func (s *session) established(ctx context.Context, rep *DialReport) {
	var sas []*IKESA
	var err error
	// The SA is there once initiate succeeded; a list that comes back
	// empty is asked for again before it counts.
	for try := 0; try < 3 && len(sas) == 0; try++ {
		if sas, err = s.conn.ListSAs(ctx, s.name, true); err != nil {
			rep.apply(diagnosis{Cause: CauseInternal, Reason: err.Error()})
			return
		}
	}
	for _, sa := range sas {
		if sa.State != "ESTABLISHED" {
			continue
		}
		rep.IKESA = sa
		for _, c := range sa.ChildSAs {
			if c.State == "INSTALLED" {
				rep.ChildSA = c
			}
		}
	}
	if rep.IKESA == nil || rep.ChildSA == nil {
		rep.apply(diagnosis{Cause: CauseInternal, Reason: fmt.Sprintf("initiate reported success but list-sas shows no installed CHILD_SA (%d IKE SAs listed)", len(sas))})
		return
	}
	if d, ok := checkServerNames(s.t, rep.Log); !ok {
		rep.apply(d)
		rep.Checks = append(rep.Checks, d.Reason)
		return
	} else {
		rep.Checks = append(rep.Checks, d.Details...)
	}
	if !rep.Daemon.Private && rep.Daemon.Installs && !s.opts.Route && coversDefaultRoute(rep.ChildSA.RemoteTS) {
		rep.apply(refusedRoute(rep.ChildSA.RemoteTS, s.opts.Hints))
		return
	}
	rep.OK = true
	if s.opts.Hold > 0 {
		select {
		case <-ctx.Done():
		case <-time.After(s.opts.Hold):
		}
	}
}

// probeIdentity tells a wrong RemoteIdentifier from a failed
// authentication. A strongSwan server answers an IDr it does not have with
// AUTHENTICATION_FAILED, exactly as it answers a wrong secret; so dial tries
// once more without naming the server (no IDr, any server identity). If
// that attempt authenticates the server, the secret was right and the
// identity was wrong, and the report names the identity the server has.
func (s *session) probeIdentity(ctx context.Context, rep *DialReport) {
	probe := s.name + "-probe"
	if err := s.conn.LoadConn(ctx, probe, s.connection(true)); err != nil {
		rep.Details = append(rep.Details, "the identity probe could not be loaded: "+err.Error())
		return
	}
	s.conns = append(s.conns, probe)
	lines, err := s.conn.Initiate(ctx, probe, probe, s.opts.Timeout, 1, nil)
	var serverID string
	for _, l := range lines {
		if m := reServerAuthenticated.FindStringSubmatch(l.Msg); m != nil {
			serverID = m[1]
		}
	}
	if sas, lerr := s.conn.ListSAs(ctx, probe, err == nil); lerr == nil {
		for _, sa := range sas {
			if sa.State == "ESTABLISHED" && sa.RemoteID != "" {
				serverID = sa.RemoteID
			}
		}
	}
	s.terminateAll(ctx, probe)
	if serverID != "" && serverID != s.t.RemoteID {
		rep.Cause, rep.Pattern = CauseServerIdentityMismatch, "probe-server-identity"
		rep.Reason = fmt.Sprintf("the server identifies as %q, not as the profile's RemoteIdentifier %q", serverID, s.t.RemoteIdentifier)
		rep.Details = []string{
			fmt.Sprintf("the device asked for %q (IDr); the server has no connection for that identity and answered AUTHENTICATION_FAILED", s.t.RemoteIdentifier),
			fmt.Sprintf("a second attempt that named no server identity authenticated the server as %q with the same credentials", serverID),
		}
		return
	}
	if err == nil {
		rep.Details = append(rep.Details, "a second attempt without naming the server succeeded with the server identity the profile expects, so the first failure was not about identities")
	} else {
		rep.Details = append(rep.Details, "a second attempt without naming the server failed too, so the server identity is not the cause")
	}
}

// session holds what a dial loaded into the daemon, to remove it again.
type session struct {
	conn    *Conn
	t       *Tunnel
	opts    DialOptions
	name    string
	private bool
	keys    []string
	shared  []string
	conns   []string
}

// cleanup removes what the dial loaded, for a charon that keeps running.
// Certificates cannot be unloaded over VICI; they stay until the daemon
// restarts or its credentials are reloaded.
func (s *session) cleanup() {
	if s.private {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range s.conns {
		s.conn.UnloadConn(ctx, c)
	}
	for _, id := range s.shared {
		s.conn.UnloadShared(ctx, id)
	}
	for _, id := range s.keys {
		s.conn.UnloadKey(ctx, id)
	}
}

func (s *session) loadCredentials(ctx context.Context) error {
	t := s.t
	if t.Auth.Server == MethodPubkey {
		for _, c := range t.TrustAnchors {
			if err := s.conn.LoadCert(ctx, c, true); err != nil {
				return fmt.Errorf("loading the CA %q: %w", c.Subject.String(), err)
			}
		}
	}
	if id := t.Identity; id != nil && (t.Auth.Client == MethodPubkey || t.Auth.Client == MethodEAPTLS) {
		if err := s.conn.LoadCert(ctx, id.Certificate, false); err != nil {
			return fmt.Errorf("loading the identity certificate: %w", err)
		}
		for _, c := range id.Chain {
			if err := s.conn.LoadCert(ctx, c, c.IsCA && isSelfSigned(c)); err != nil {
				return fmt.Errorf("loading the identity's chain: %w", err)
			}
		}
		keyID, err := s.conn.LoadKey(ctx, id.Key)
		if err != nil {
			return fmt.Errorf("loading the identity's private key: %w", err)
		}
		if keyID != "" {
			s.keys = append(s.keys, keyID)
		}
	}
	if t.SharedSecret != "" {
		var owners []string
		if !s.private {
			owners = []string{t.RemoteID}
			if t.LocalID != "" {
				owners = append(owners, t.LocalID)
			}
		}
		if err := s.loadShared(ctx, "psk", "IKE", []byte(t.SharedSecret), owners); err != nil {
			return fmt.Errorf("loading the shared secret: %w", err)
		}
	}
	if t.Auth.Client == MethodEAPMSCHAPv2 {
		user, password := s.eapCredentials()
		if err := s.loadShared(ctx, "eap", "EAP", []byte(password), []string{user}); err != nil {
			return fmt.Errorf("loading the EAP password: %w", err)
		}
	}
	if t.PPKID != "" {
		if err := s.loadShared(ctx, "ppk", "PPK", t.PPK, []string{t.PPKID}); err != nil {
			return fmt.Errorf("loading the PPK: %w", err)
		}
	}
	return nil
}

func (s *session) loadShared(ctx context.Context, kind, typ string, secret []byte, owners []string) error {
	id := s.name + "-" + kind
	if err := s.conn.LoadShared(ctx, id, typ, secret, owners); err != nil {
		return err
	}
	s.shared = append(s.shared, id)
	return nil
}

// eapCredentials prefers the profile's AuthName and AuthPassword, as the
// device does, over the ones given in the options.
func (s *session) eapCredentials() (user, password string) {
	user, password = s.t.EAPUser, s.t.EAPPassword
	if user == "" {
		user = s.opts.EAPUser
	}
	if password == "" {
		password = s.opts.EAPPassword
	}
	return user, password
}

// connection builds the initiator connection. A probe names no server
// identity and accepts any.
func (s *session) connection(probe bool) *vici.Message {
	t := s.t
	server := t.RemoteAddress
	if s.opts.Server != "" {
		server = s.opts.Server
	}
	c := vici.NewMessage()
	c.Set("version", "2")
	c.Set("remote_addrs", []string{server})
	c.Set("vips", []string{"0.0.0.0"})
	c.Set("proposals", proposalStrings(t.IKE, true))
	c.Set("rekey_time", duration(t.IKELifetime))
	c.Set("reauth_time", "0")
	c.Set("dpd_delay", duration(t.DPD))
	c.Set("mobike", yesNo(t.MOBIKE))
	c.Set("send_certreq", yesNo(t.CertRequest))
	c.Set("keyingtries", "1")
	c.Set("unique", "no")
	if t.PPKID != "" {
		c.Set("ppk_id", t.PPKID)
		c.Set("ppk_required", yesNo(t.PPKRequired))
	}

	local := vici.NewMessage()
	local.Set("auth", string(t.Auth.Client))
	if t.LocalID != "" {
		local.Set("id", t.LocalID)
	}
	switch t.Auth.Client {
	case MethodPubkey:
		local.Set("certs", []string{string(pemCert(t.Identity.Certificate))})
		c.Set("send_cert", "always")
	case MethodEAPTLS:
		local.Set("certs", []string{string(pemCert(t.Identity.Certificate))})
		eapID := t.LocalID
		if eapID == "" {
			eapID = t.Identity.Certificate.Subject.String()
		}
		local.Set("eap_id", eapID)
	case MethodEAPMSCHAPv2:
		user, _ := s.eapCredentials()
		local.Set("eap_id", user)
	}
	c.Set("local", local)

	remote := vici.NewMessage()
	remote.Set("auth", string(t.Auth.Server))
	if probe {
		remote.Set("id", "%any")
	} else {
		remote.Set("id", t.RemoteID)
	}
	if t.Auth.Server == MethodPubkey && len(t.TrustAnchors) > 0 {
		var cas []string
		for _, a := range t.TrustAnchors {
			cas = append(cas, string(pemCert(a)))
		}
		remote.Set("cacerts", cas)
	}
	if t.RevocationCheck {
		remote.Set("revocation", "relaxed")
	}
	c.Set("remote", remote)

	child := vici.NewMessage()
	child.Set("remote_ts", []string{"0.0.0.0/0", "::/0"})
	child.Set("esp_proposals", proposalStrings(t.ESP, false))
	child.Set("rekey_time", duration(t.ChildLifetime))
	child.Set("mode", "tunnel")
	child.Set("start_action", "none")
	children := vici.NewMessage()
	name := s.name
	if probe {
		name += "-probe"
	}
	children.Set(name, child)
	c.Set("children", children)
	return c
}

// terminateAll deletes every IKE_SA of a connection (an error only says
// there was none).
func (s *session) terminateAll(ctx context.Context, name string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	s.conn.Terminate(ctx, name, 5*time.Second)
}

func proposalStrings(ps []Proposal, ike bool) []string {
	var out []string
	for _, p := range ps {
		if ike {
			out = append(out, p.IKE())
		} else {
			out = append(out, p.ESP())
		}
	}
	return out
}

func offer(t *Tunnel, opts DialOptions) Offer {
	o := Offer{
		Server:         t.RemoteAddress,
		LocalID:        t.LocalIdentifier,
		RemoteID:       t.RemoteIdentifier,
		Authentication: describeAuth(t),
		IKEProposals:   proposalStrings(t.IKE, true),
		ESPProposals:   proposalStrings(t.ESP, false),
		ProposalSource: "the profile's security association parameters",
		FullTunnel:     t.FullTunnel,
	}
	if opts.Server != "" {
		o.Server = opts.Server + " (given for this dial instead of the profile's " + t.RemoteAddress + ")"
	}
	if id := t.Identity; id != nil && (t.Auth.Client == MethodPubkey || t.Auth.Client == MethodEAPTLS) {
		o.Identity = describeIdentity(t)
		o.IdentityMismatch = t.IdentityMismatch
	}
	if t.DefaultProposals != nil {
		o.ProposalSource = fmt.Sprintf("the defaults of iOS %s (%s)", t.IOS, t.DefaultProposals.Source)
	}
	return o
}

// describeIdentity says which certificate the device side presents and
// where it comes from.
func describeIdentity(t *Tunnel) string {
	id := t.Identity
	s := fmt.Sprintf("%q (%s), issued by %q", id.Certificate.Subject.String(), keyName(id.Certificate), id.Certificate.Issuer.String())
	switch {
	case id.PayloadUUID != "":
		s += ", from the profile's PKCS#12 payload " + id.PayloadUUID
	case id.Source != "":
		s += ", from " + id.Source
	default:
		s += ", given for this dial"
	}
	if e := t.Enrollment; e != nil {
		s += fmt.Sprintf(", standing in for the certificate the device enrolls through the SCEP payload %s from %s", e.PayloadIdentifier, e.URL)
	}
	return s
}

// describeAuth says how each side authenticates, in words.
func describeAuth(t *Tunnel) string {
	server := map[Method]string{MethodPSK: "the shared secret", MethodPubkey: "its certificate"}[t.Auth.Server]
	client := map[Method]string{
		MethodPSK: "the shared secret", MethodPubkey: "its certificate (" + t.CertificateType + ")",
		MethodEAPMSCHAPv2: "EAP-MSCHAPv2", MethodEAPTLS: "EAP-TLS",
	}[t.Auth.Client]
	s := fmt.Sprintf("server with %s, device with %s", server, client)
	if t.Auth.EAPOnly {
		s += " (EAP-only)"
	}
	return s
}

func hasPostQuantum(t *Tunnel) bool {
	for _, p := range append(slices.Clone(t.IKE), t.ESP...) {
		if len(p.PostQuantum) > 0 {
			return true
		}
	}
	return false
}

func withoutPostQuantum(ps []Proposal) []Proposal {
	out := slices.Clone(ps)
	for i := range out {
		out[i].PostQuantum = nil
	}
	return out
}

func coversDefaultRoute(ts []string) bool {
	return slices.ContainsFunc(ts, func(s string) bool { return s == "0.0.0.0/0" || s == "::/0" })
}

func randomSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// versionBefore compares strongSwan version strings ("5.9.8").
func versionBefore(version, than string) bool {
	a, b := strings.Split(version, "."), strings.Split(than, ".")
	for i := 0; i < len(a) && i < len(b); i++ {
		var x, y int
		fmt.Sscan(a[i], &x)
		fmt.Sscan(b[i], &y)
		if x != y {
			return x < y
		}
	}
	return len(a) < len(b)
}
