package strongswan

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/strongswan/govici/vici"
)

// Conn is a VICI session with a charon.
type Conn struct {
	s   *vici.Session
	URI string
}

// ParseVICIURI reads a VICI address: unix:///path/charon.vici, a plain
// socket path, or tcp://host:port.
func ParseVICIURI(uri string) (network, addr string, err error) {
	if strings.HasPrefix(uri, "/") {
		return "unix", uri, nil
	}
	u, err := url.Parse(uri)
	if err != nil {
		return "", "", fmt.Errorf("VICI address %q: %v", uri, err)
	}
	switch u.Scheme {
	case "unix":
		p := u.Path
		if p == "" {
			p = u.Opaque
		}
		if p == "" {
			return "", "", fmt.Errorf("VICI address %q: want unix:///path/to/charon.vici", uri)
		}
		return "unix", p, nil
	case "tcp":
		if u.Host == "" {
			return "", "", fmt.Errorf("VICI address %q: want tcp://host:port", uri)
		}
		return "tcp", u.Host, nil
	}
	return "", "", fmt.Errorf("VICI address %q: want unix:///path/to/charon.vici or tcp://host:port", uri)
}

// Connect opens a VICI session.
func Connect(uri string) (*Conn, error) {
	network, addr, err := ParseVICIURI(uri)
	if err != nil {
		return nil, err
	}
	s, err := vici.NewSession(vici.WithAddr(network, addr))
	if err != nil {
		return nil, fmt.Errorf("cannot reach charon's VICI socket %s: %v", uri, err)
	}
	return &Conn{s: s, URI: uri}, nil
}

// Close ends the session.
func (c *Conn) Close() error { return c.s.Close() }

// call runs a command and turns a failure into an error that names it.
func (c *Conn) call(ctx context.Context, cmd string, in *vici.Message) (*vici.Message, error) {
	out, err := c.s.Call(ctx, cmd, in)
	if err != nil {
		return out, fmt.Errorf("VICI %s: %w", cmd, err)
	}
	return out, nil
}

// Version returns the daemon's name and strongSwan version.
func (c *Conn) Version(ctx context.Context) (daemon, version string, err error) {
	m, err := c.call(ctx, "version", nil)
	if err != nil {
		return "", "", err
	}
	daemon, _ = m.Get("daemon").(string)
	version, _ = m.Get("version").(string)
	return daemon, version, nil
}

// LoadCert loads a certificate; ca marks a trust anchor.
func (c *Conn) LoadCert(ctx context.Context, cert *x509.Certificate, ca bool) error {
	m := vici.NewMessage()
	m.Set("type", "X509")
	flag := "NONE"
	if ca {
		flag = "CA"
	}
	m.Set("flag", flag)
	m.Set("data", string(pemCert(cert)))
	_, err := c.call(ctx, "load-cert", m)
	return err
}

// LoadKey loads a private key and returns its key id (for UnloadKey).
func (c *Conn) LoadKey(ctx context.Context, key crypto.Signer) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("encoding the identity's key: %v", err)
	}
	m := vici.NewMessage()
	m.Set("type", "any")
	m.Set("data", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	out, err := c.call(ctx, "load-key", m)
	if err != nil {
		return "", err
	}
	id, _ := out.Get("id").(string)
	return id, nil
}

// UnloadKey removes a key loaded with LoadKey.
func (c *Conn) UnloadKey(ctx context.Context, id string) error {
	m := vici.NewMessage()
	m.Set("id", id)
	_, err := c.call(ctx, "unload-key", m)
	return err
}

// LoadShared loads a shared secret of type IKE, EAP or PPK under id (for
// UnloadShared), for the given owner identities (none: any).
func (c *Conn) LoadShared(ctx context.Context, id, typ string, secret []byte, owners []string) error {
	m := vici.NewMessage()
	m.Set("id", id)
	m.Set("type", typ)
	m.Set("data", string(secret))
	if len(owners) > 0 {
		m.Set("owners", owners)
	}
	_, err := c.call(ctx, "load-shared", m)
	return err
}

// UnloadShared removes a secret loaded with LoadShared.
func (c *Conn) UnloadShared(ctx context.Context, id string) error {
	m := vici.NewMessage()
	m.Set("id", id)
	_, err := c.call(ctx, "unload-shared", m)
	return err
}

// LoadConn loads one connection (an IKE config with its children).
func (c *Conn) LoadConn(ctx context.Context, name string, conn *vici.Message) error {
	m := vici.NewMessage()
	if err := m.Set(name, conn); err != nil {
		return err
	}
	_, err := c.call(ctx, "load-conn", m)
	return err
}

// UnloadConn removes a connection.
func (c *Conn) UnloadConn(ctx context.Context, name string) error {
	m := vici.NewMessage()
	m.Set("name", name)
	_, err := c.call(ctx, "unload-conn", m)
	return err
}

// LogLine is one control-log event of initiate or terminate.
type LogLine struct {
	// Group is the subsystem (IKE, CFG, NET, ENC, ...).
	Group string `json:"group"`
	// Level is the log level, 0 (basic) to 4.
	Level int `json:"level"`
	// Msg is the message text.
	Msg string `json:"msg"`
}

func (l LogLine) String() string { return "[" + l.Group + "] " + l.Msg }

// callWithEvents runs a command that streams events while it is active and
// returns the events in order, handing each to onEvent (when not nil) as it
// arrives. It registers for the events itself rather than through govici's
// CallStreaming, which picks between a waiting event and the command's
// response at random, and so can drop the last events (the very log lines
// that say why an initiate failed) and leave them to confuse the next
// command. charon does not always send the last event before the response
// either, so after the response the events are read until complete(events)
// says they are all there, or, when complete is nil, until none has come
// for a moment; never longer than wait.
func (c *Conn) callWithEvents(ctx context.Context, cmd, event string, in *vici.Message, complete func([]*vici.Message) bool, wait time.Duration, onEvent func(*vici.Message)) ([]*vici.Message, error) {
	if err := c.s.Subscribe(event); err != nil {
		return nil, fmt.Errorf("VICI %s: registering for %s events: %w", cmd, event, err)
	}
	events := make(chan vici.Event, 4096)
	var (
		mu   sync.Mutex
		msgs []*vici.Message
		last = time.Now()
	)
	received := make(chan struct{})
	go func() {
		defer close(received)
		for ev := range events {
			if ev.Name != event {
				continue
			}
			mu.Lock()
			msgs = append(msgs, ev.Message)
			last = time.Now()
			mu.Unlock()
			if onEvent != nil {
				onEvent(ev.Message)
			}
		}
	}()
	c.s.NotifyEvents(events)
	out, err := c.s.Call(ctx, cmd, in)

	const settle = 100 * time.Millisecond
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		done := (complete != nil && complete(msgs)) || (complete == nil && time.Since(last) >= settle)
		mu.Unlock()
		if done {
			break
		}
	}
	// Once StopEvents returns, the session no longer writes to the
	// channel; it closes it itself only if the connection died before.
	c.s.StopEvents(events)
	func() {
		defer func() { recover() }()
		close(events)
	}()
	<-received
	c.s.Unsubscribe(event)
	if err != nil {
		if out != nil {
			return msgs, errors.New(strings.TrimSpace(errMsg(out, err)))
		}
		return msgs, fmt.Errorf("VICI %s: %w", cmd, err)
	}
	return msgs, nil
}

// Initiate initiates a CHILD_SA (and its IKE_SA) and returns charon's
// control-log lines, which it also hands to onLog (when not nil) as they
// come, with the outcome: nil when the CHILD_SA is established, otherwise
// charon's error message.
func (c *Conn) Initiate(ctx context.Context, ike, child string, timeout time.Duration, loglevel int, onLog func(LogLine)) ([]LogLine, error) {
	m := vici.NewMessage()
	m.Set("child", child)
	m.Set("ike", ike)
	m.Set("timeout", strconv.FormatInt(timeout.Milliseconds(), 10))
	m.Set("init-limits", "no")
	m.Set("loglevel", strconv.Itoa(loglevel))
	var onEvent func(*vici.Message)
	if onLog != nil {
		onEvent = func(m *vici.Message) { onLog(logLine(m)) }
	}
	evs, err := c.callWithEvents(ctx, "initiate", "control-log", m, nil, time.Second, onEvent)
	lines := make([]LogLine, 0, len(evs))
	for _, ev := range evs {
		lines = append(lines, logLine(ev))
	}
	return lines, err
}

// Terminate deletes the IKE_SAs of the connection named ike and waits up to
// timeout.
func (c *Conn) Terminate(ctx context.Context, ike string, timeout time.Duration) error {
	m := vici.NewMessage()
	m.Set("ike", ike)
	m.Set("timeout", strconv.FormatInt(timeout.Milliseconds(), 10))
	_, err := c.call(ctx, "terminate", m)
	return err
}

func errMsg(m *vici.Message, err error) string {
	if s, ok := m.Get("errmsg").(string); ok && s != "" {
		return s
	}
	return err.Error()
}

func logLine(m *vici.Message) LogLine {
	l := LogLine{}
	l.Group, _ = m.Get("group").(string)
	l.Msg, _ = m.Get("msg").(string)
	if s, ok := m.Get("level").(string); ok {
		l.Level, _ = strconv.Atoi(s)
	}
	return l
}

// IKESA is an IKE_SA as list-sas reports it.
type IKESA struct {
	Name          string              `vici:"-" json:"name"`
	UniqueID      string              `vici:"uniqueid" json:"uniqueId"`
	State         string              `vici:"state" json:"state"`
	LocalHost     string              `vici:"local-host" json:"localHost"`
	LocalPort     string              `vici:"local-port" json:"localPort,omitempty"`
	LocalID       string              `vici:"local-id" json:"localId"`
	RemoteHost    string              `vici:"remote-host" json:"remoteHost"`
	RemotePort    string              `vici:"remote-port" json:"remotePort,omitempty"`
	RemoteID      string              `vici:"remote-id" json:"remoteId"`
	RemoteEAPID   string              `vici:"remote-eap-id" json:"remoteEapId,omitempty"`
	EncrAlg       string              `vici:"encr-alg" json:"encryption"`
	EncrKeysize   string              `vici:"encr-keysize" json:"encryptionKeySize,omitempty"`
	IntegAlg      string              `vici:"integ-alg" json:"integrity,omitempty"`
	IntegKeysize  string              `vici:"integ-keysize" json:"integrityKeySize,omitempty"`
	PRFAlg        string              `vici:"prf-alg" json:"prf"`
	DHGroup       string              `vici:"dh-group" json:"dhGroup"`
	NATLocal      string              `vici:"nat-local" json:"-"`
	NATRemote     string              `vici:"nat-remote" json:"-"`
	LocalVIPs     []string            `vici:"local-vips" json:"virtualIps"`
	ChildSAs      map[string]*ChildSA `vici:"child-sas" json:"-"`
	EstablishedIn string              `vici:"established" json:"-"`
}

// ChildSA is a CHILD_SA as list-sas reports it.
type ChildSA struct {
	Name        string   `vici:"name" json:"name"`
	UniqueID    string   `vici:"uniqueid" json:"uniqueId"`
	State       string   `vici:"state" json:"state"`
	Mode        string   `vici:"mode" json:"mode"`
	Protocol    string   `vici:"protocol" json:"protocol"`
	Encap       string   `vici:"encap" json:"udpEncapsulation,omitempty"`
	EncrAlg     string   `vici:"encr-alg" json:"encryption"`
	EncrKeysize string   `vici:"encr-keysize" json:"encryptionKeySize,omitempty"`
	IntegAlg    string   `vici:"integ-alg" json:"integrity,omitempty"`
	DHGroup     string   `vici:"dh-group" json:"pfsGroup,omitempty"`
	LocalTS     []string `vici:"local-ts" json:"localTs"`
	RemoteTS    []string `vici:"remote-ts" json:"remoteTs"`
}

// ListSAs returns the IKE_SAs of the connection named ike. When expect is
// set, the caller knows there is one, and the call waits for it.
func (c *Conn) ListSAs(ctx context.Context, ike string, expect bool) ([]*IKESA, error) {
	m := vici.NewMessage()
	m.Set("ike", ike)
	m.Set("noblock", "yes")
	var complete func([]*vici.Message) bool
	if expect {
		complete = func(evs []*vici.Message) bool { return len(evs) > 0 }
	}
	evs, err := c.callWithEvents(ctx, "list-sas", "list-sa", m, complete, 2*time.Second, nil)
	if err != nil {
		return nil, err
	}
	var out []*IKESA
	for _, ev := range evs {
		for _, name := range ev.Keys() {
			sub, ok := ev.Get(name).(*vici.Message)
			if !ok {
				continue
			}
			sa := &IKESA{}
			if err := vici.UnmarshalMessage(sub, sa); err != nil {
				return nil, fmt.Errorf("VICI list-sas: %v", err)
			}
			sa.Name = name
			for childName, child := range sa.ChildSAs {
				if child.Name == "" {
					child.Name = childName
				}
			}
			out = append(out, sa)
		}
	}
	return out, nil
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}
