// Package nanomdmtest runs a real NanoMDM server (github.com/micromdm/nanomdm)
// in-process on the loopback interface for tests, and simulates devices that
// enroll in it and fetch their commands.
//
// The server is wired the way NanoMDM's cmd/nanomdm/main.go wires it by
// default: in-memory storage; the core service behind certificate
// authorization (certauth); device identities taken from the Mdm-Signature
// header and verified against a device CA (here one made with
// internal/testpki) for client authentication; check-ins and commands on
// /mdm; and the API (/v1/pushcert, /v1/push/, /v1/enqueue/) behind HTTP basic
// authentication as user "nanomdm" with the API key. Pushes go through
// NanoMDM's own push service and APNs HTTP/2 provider (nanopush); since there
// is no APNs here, the provider's HTTP client is pointed at a stand-in on
// loopback that accepts every push and records it. An APNs push certificate
// for the server's topic is uploaded through /v1/pushcert at start.
//
// Simulated devices sign their requests as devices do: a detached CMS
// signature of the body with their identity, base64 in the Mdm-Signature
// header.
package nanomdmtest

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	nlhttp "github.com/micromdm/nanolib/http"
	"github.com/micromdm/nanolib/http/trace"
	nlog "github.com/micromdm/nanolib/log"
	"github.com/micromdm/nanomdm/certverify"
	"github.com/micromdm/nanomdm/cryptoutil"
	httpapi "github.com/micromdm/nanomdm/http/api"
	httpmdm "github.com/micromdm/nanomdm/http/mdm"
	"github.com/micromdm/nanomdm/push/nanopush"
	pushsvc "github.com/micromdm/nanomdm/push/service"
	"github.com/micromdm/nanomdm/service"
	"github.com/micromdm/nanomdm/service/certauth"
	"github.com/micromdm/nanomdm/service/nanomdm"
	"github.com/micromdm/nanomdm/storage/inmem"
	"github.com/smallstep/pkcs7"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// DefaultAPIKey is the API key of a server started without one.
const DefaultAPIKey = "nanomdm-test-api-key"

// Options configure Start.
type Options struct {
	// APIKey is the API key (the basic authentication password of user
	// "nanomdm"); DefaultAPIKey when empty.
	APIKey string
}

// Server is a running NanoMDM.
type Server struct {
	// URL is the server's root, http://127.0.0.1:PORT.
	URL string
	// APIKey is the API key.
	APIKey string
	// Topic is the APNs topic of the server's push certificate, which
	// devices send in their check-ins.
	Topic string

	deviceCA *testpki.CA
	log      *bufLogger
	apns     *apns
}

// Start starts NanoMDM on 127.0.0.1 on a free port; it stops when the test
// ends. NanoMDM's log is shown when the test fails.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := &Server{
		APIKey:   opts.APIKey,
		Topic:    "com.apple.mgmt.External." + strings.ToLower(newUUID()),
		deviceCA: testpki.NewRoot(tb, testpki.Options{CommonName: "NanoMDM Test Device CA"}),
		log:      &bufLogger{buf: new(logBuffer)},
	}
	if s.APIKey == "" {
		s.APIKey = DefaultAPIKey
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("NanoMDM log:\n%s", s.log.buf.String())
		}
	})
	s.apns = startAPNs(tb)

	verifier, err := certverify.NewPoolVerifier(testpki.EncodePEMCerts(s.deviceCA.Cert), nil, x509.ExtKeyUsageClientAuth)
	if err != nil {
		tb.Fatalf("nanomdmtest: device CA: %v", err)
	}
	logger := s.log
	store := inmem.New()

	// As cmd/nanomdm/main.go: the core service...
	nano := nanomdm.New(store,
		nanomdm.WithUserAuthenticate(nanomdm.NewUAService(store, false)),
		nanomdm.WithGetToken(nanomdm.NewTokenMux()),
		nanomdm.WithLogger(logger.With("service", "nanomdm")),
	)
	mux := http.NewServeMux()

	// ...the identity certificate from the Mdm-Signature header, verified
	// against the device CA...
	mdmAuthMux := nlhttp.NewMWMux(mux)
	mdmAuthMux.Use(func(h http.Handler) http.Handler {
		return httpmdm.CertExtractMdmSignatureMiddleware(h,
			httpmdm.MdmSignatureVerifierFunc(cryptoutil.VerifyMdmSignature),
			httpmdm.SigLogWithLogger(logger.With("handler", "cert-extract")),
			httpmdm.SigLogWithLogErrors(true))
	})
	mdmAuthMux.Use(func(h http.Handler) http.Handler {
		return httpmdm.CertVerifyMiddleware(h, verifier, logger.With("handler", "cert-verify"))
	})
	// ...certificate authorization, and check-in and commands on one
	// endpoint...
	var mdmService service.CheckinAndCommandService = nano
	mdmService = certauth.New(mdmService, store, certauth.WithLogger(logger.With("service", "certauth")))
	mdmAuthMux.Handle("/mdm", httpmdm.CheckinAndCommandHandler(mdmService, logger.With("handler", "checkin-command")))

	// ...and the API behind basic authentication, with the push service.
	apiAuthMux := nlhttp.NewMWMux(mux)
	apiAuthMux.Use(func(h http.Handler) http.Handler {
		return nlhttp.NewSimpleBasicAuthHandler(h, "nanomdm", s.APIKey, "nanomdm")
	})
	pushProviders := nanopush.NewFactory(nanopush.WithNewClient(s.apns.newClient))
	pushService := pushsvc.New(store, store, pushProviders, logger.With("service", "push"))
	httpapi.HandleAPIv1("/v1", apiAuthMux, logger, store, pushService)
	mux.HandleFunc("/version", nlhttp.NewJSONVersionHandler("v0.9.0"))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("nanomdmtest: listen: %v", err)
	}
	srv := &http.Server{
		Handler:           trace.NewTraceLoggingHandler(mux, logger.With("handler", "log"), func(*http.Request) string { return newUUID()[:8] }),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	s.URL = "http://" + ln.Addr().String()

	s.uploadPushCert(tb)
	return s
}

// uploadPushCert makes an APNs push certificate for s.Topic and uploads it
// with its key through PUT /v1/pushcert, as an administrator does.
func (s *Server) uploadPushCert(tb testing.TB) {
	tb.Helper()
	key := testpki.Key(tb, testpki.RSA2048, 6)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject: pkix.Name{
			CommonName: "APSP:" + strings.TrimPrefix(s.Topic, "com.apple.mgmt.External."),
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, Value: s.Topic}},
		},
		NotBefore:   time.Now().Add(-time.Hour),
		NotAfter:    time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatalf("nanomdmtest: push certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatalf("nanomdmtest: push certificate: %v", err)
	}
	body := append(testpki.EncodePEMCerts(cert), testpki.EncodePEMKey(tb, key, testpki.PKCS8, nil)...)
	req, err := http.NewRequest(http.MethodPut, s.URL+"/v1/pushcert", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.SetBasicAuth("nanomdm", s.APIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("nanomdmtest: uploading the push certificate: %v", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("nanomdmtest: uploading the push certificate: HTTP %s: %s", resp.Status, out)
	}
}

// Push is a push notification that reached the APNs stand-in.
type Push struct {
	// Token is the device token, in hexadecimal.
	Token string
	// PushMagic is the device's PushMagic from the payload {"mdm": "…"}.
	PushMagic string
	// ID is the apns-id the stand-in answered with.
	ID string
}

// Pushes returns the pushes NanoMDM has sent so far, in order.
func (s *Server) Pushes() []Push {
	s.apns.mu.Lock()
	defer s.apns.mu.Unlock()
	return append([]Push(nil), s.apns.pushes...)
}

// Device is a simulated device with an identity certificate issued by the
// server's device CA.
type Device struct {
	// UDID is the device's enrollment ID.
	UDID string
	// Token and PushMagic are what the device sends in TokenUpdate.
	Token     []byte
	PushMagic string

	server *Server
	id     *testpki.Leaf
}

// NewDevice makes a device with a new identity; udid is random when empty.
func (s *Server) NewDevice(tb testing.TB, udid string) *Device {
	tb.Helper()
	if udid == "" {
		udid = newUUID()
	}
	token := make([]byte, 32)
	rand.Read(token)
	return &Device{
		UDID:      udid,
		Token:     token,
		PushMagic: newUUID(),
		server:    s,
		id: s.deviceCA.NewLeaf(tb, testpki.Options{
			CommonName:  "Test Device " + udid,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}),
	}
}

// TokenHex is the device token as NanoMDM and APNs write it.
func (d *Device) TokenHex() string { return hex.EncodeToString(d.Token) }

// Enroll sends the Authenticate and TokenUpdate check-ins of an MDM
// enrollment.
func (d *Device) Enroll(tb testing.TB) {
	tb.Helper()
	d.Checkin(tb, map[string]any{
		"MessageType":  "Authenticate",
		"UDID":         d.UDID,
		"Topic":        d.server.Topic,
		"BuildVersion": "22A3354",
		"OSVersion":    "18.0",
		"ProductName":  "iPhone15,2",
		"SerialNumber": "F2LXK0TESTSN",
		"DeviceName":   "Test iPhone",
		"Model":        "iPhone15,2",
		"ModelName":    "iPhone",
	})
	d.Checkin(tb, map[string]any{
		"MessageType":           "TokenUpdate",
		"UDID":                  d.UDID,
		"Topic":                 d.server.Topic,
		"PushMagic":             d.PushMagic,
		"Token":                 d.Token,
		"AwaitingConfiguration": false,
	})
}

// Checkin sends a check-in message and fails the test unless NanoMDM
// answers 200; it returns the answer's body.
func (d *Device) Checkin(tb testing.TB, msg map[string]any) []byte {
	tb.Helper()
	status, body := d.send(tb, "application/x-apple-aspen-mdm-checkin", msg)
	if status != http.StatusOK {
		tb.Fatalf("nanomdmtest: %v check-in of %s: HTTP %d: %s", msg["MessageType"], d.UDID, status, body)
	}
	return body
}

// Idle reports Status Idle, as a device does when woken by a push, and
// returns the next command NanoMDM hands out (nil when there is none).
func (d *Device) Idle(tb testing.TB) []byte {
	tb.Helper()
	return d.Report(tb, "Idle", "")
}

// Acknowledge reports that the command commandUUID succeeded, and returns
// the next command (nil when there is none).
func (d *Device) Acknowledge(tb testing.TB, commandUUID string) []byte {
	tb.Helper()
	return d.Report(tb, "Acknowledged", commandUUID)
}

// Report sends a command report with status (Idle, Acknowledged, Error,
// NotNow) and returns the next command (nil when there is none).
func (d *Device) Report(tb testing.TB, status, commandUUID string) []byte {
	tb.Helper()
	msg := map[string]any{"UDID": d.UDID, "Status": status}
	if commandUUID != "" {
		msg["CommandUUID"] = commandUUID
	}
	code, body := d.send(tb, "application/x-apple-aspen-mdm", msg)
	if code != http.StatusOK {
		tb.Fatalf("nanomdmtest: %s report of %s: HTTP %d: %s", status, d.UDID, code, body)
	}
	if len(body) == 0 {
		return nil
	}
	return body
}

// send PUTs msg to /mdm, signed with the device identity.
func (d *Device) send(tb testing.TB, contentType string, msg map[string]any) (int, []byte) {
	tb.Helper()
	body, err := plistout.Encode(msg, plistout.XML)
	if err != nil {
		tb.Fatalf("nanomdmtest: encoding %v: %v", msg, err)
	}
	sig, err := pkcs7.NewSignedData(body)
	if err != nil {
		tb.Fatal(err)
	}
	sig.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sig.AddSigner(d.id.Cert, d.id.Key, pkcs7.SignerInfoConfig{}); err != nil {
		tb.Fatalf("nanomdmtest: signing the request: %v", err)
	}
	sig.Detach()
	der, err := sig.Finish()
	if err != nil {
		tb.Fatalf("nanomdmtest: signing the request: %v", err)
	}
	req, err := http.NewRequest(http.MethodPut, d.server.URL+"/mdm", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Mdm-Signature", base64.StdEncoding.EncodeToString(der))
	req.Header.Set("User-Agent", "MDM/1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("nanomdmtest: device %s: %v", d.UDID, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("nanomdmtest: device %s: reading the answer: %v", d.UDID, err)
	}
	return resp.StatusCode, out
}

// RejectPushes makes the APNs stand-in refuse every push to the device
// from now on, as APNs does for a token it does not know: HTTP 400 with
// {"reason": reason}, such as "BadDeviceToken". NanoMDM then reports a
// push error for the device, although the command is queued.
func (d *Device) RejectPushes(reason string) {
	a := d.server.apns
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.reject == nil {
		a.reject = map[string]string{}
	}
	a.reject[d.TokenHex()] = reason
}

// apns is the APNs stand-in: an HTTP/2 TLS server on loopback that takes
// POST /3/device/{token} and answers 200 with an apns-id, or 400 for the
// tokens in reject.
type apns struct {
	srv    *httptest.Server
	mu     sync.Mutex
	pushes []Push
	reject map[string]string // token → reason
}

func startAPNs(tb testing.TB) *apns {
	a := &apns{}
	a.srv = httptest.NewUnstartedServer(http.HandlerFunc(a.serve))
	a.srv.EnableHTTP2 = true
	a.srv.StartTLS()
	tb.Cleanup(a.srv.Close)
	return a
}

func (a *apns) serve(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.URL.Path, "/3/device/")
	if r.Method != http.MethodPost || !ok || token == "" {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"reason":"BadPath"}`)
		return
	}
	body, _ := io.ReadAll(r.Body)
	magic := ""
	if _, rest, ok := strings.Cut(string(body), `"mdm":"`); ok {
		magic, _, _ = strings.Cut(rest, `"`)
	}
	p := Push{Token: token, PushMagic: magic, ID: newUUID()}
	a.mu.Lock()
	reason, rejected := a.reject[token]
	if !rejected {
		a.pushes = append(a.pushes, p)
	}
	a.mu.Unlock()
	if rejected {
		w.Header().Set("apns-id", p.ID)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"reason":%q}`, reason)
		return
	}
	w.Header().Set("apns-id", p.ID)
	w.WriteHeader(http.StatusOK)
}

// newClient is nanopush's client factory: the stand-in's HTTP/2 client,
// with requests for Apple's APNs hosts sent to the stand-in.
func (a *apns) newClient(*tls.Certificate) (*http.Client, error) {
	return &http.Client{Transport: redirectTransport{host: a.srv.Listener.Addr().String(), next: a.srv.Client().Transport}}, nil
}

type redirectTransport struct {
	host string
	next http.RoundTripper
}

func (t redirectTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = "https", t.host, ""
	return t.next.RoundTrip(r)
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// bufLogger is a NanoMDM logger (nanolib log.Logger) that keeps the log in
// memory, since the server's goroutines may outlive a test's t.Log.
type bufLogger struct {
	buf *logBuffer
	kv  []any
}

type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *bufLogger) print(level string, kv []any) {
	all := append(append([]any{"level", level}, l.kv...), kv...)
	var line strings.Builder
	for i := 0; i < len(all); i += 2 {
		if i > 0 {
			line.WriteByte(' ')
		}
		if i+1 < len(all) {
			fmt.Fprintf(&line, "%v=%q", all[i], fmt.Sprint(all[i+1]))
		} else {
			fmt.Fprintf(&line, "%v", all[i])
		}
	}
	l.buf.mu.Lock()
	defer l.buf.mu.Unlock()
	l.buf.b.WriteString(line.String())
	l.buf.b.WriteByte('\n')
}

func (l *bufLogger) Info(kv ...any)  { l.print("info", kv) }
func (l *bufLogger) Debug(kv ...any) { l.print("debug", kv) }
func (l *bufLogger) With(kv ...any) nlog.Logger {
	return &bufLogger{buf: l.buf, kv: append(append([]any(nil), l.kv...), kv...)}
}
