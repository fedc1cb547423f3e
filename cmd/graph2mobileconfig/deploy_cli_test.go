package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/nanomdmtest"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/mdm"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

const deployTestKey = "deploy test key 7f3a"

// deployProfiles compiles fixtures/psk-ondemand twice, unsigned and signed
// by a new test identity, and writes the signed profile to a file.
type deployProfiles struct {
	unsigned   []byte
	signed     []byte
	signedPath string
	root       *testpki.CA
}

func compileDeployProfiles(t *testing.T) deployProfiles {
	t.Helper()
	input, err := os.ReadFile(repoPath("fixtures", "psk-ondemand", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	opts := graph2mobileconfig.Options{
		Compile: compiler.Options{IdentifierPrefix: "com.contoso.warehouse"},
		Format:  plistout.XML,
	}
	plain, diags, err := graph2mobileconfig.Compile(context.Background(), input, opts)
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, diags)
	}
	root := testpki.NewRoot(t, testpki.Options{})
	leaf := root.NewLeaf(t, testpki.Options{CommonName: "Contoso Profile Signer"})
	opts.Signer = &signing.Identity{Certificate: leaf.Cert, PrivateKey: leaf.Key, Chain: leaf.Chain}
	signed, diags, err := graph2mobileconfig.Compile(context.Background(), input, opts)
	if err != nil {
		t.Fatalf("compile and sign: %v\n%s", err, diags)
	}
	path := filepath.Join(t.TempDir(), "warehouse.mobileconfig")
	if err := os.WriteFile(path, signed.Data, 0o600); err != nil {
		t.Fatal(err)
	}
	return deployProfiles{unsigned: plain.Data, signed: signed.Data, signedPath: path, root: root}
}

var deployLine = regexp.MustCompile(`^(.+): (\S+): InstallProfile ([0-9A-F-]{36}) queued; (.+)$`)

// TestDeployNanoMDM deploys a signed profile to a device enrolled in a real
// NanoMDM, and has the device fetch, check and acknowledge it.
func TestDeployNanoMDM(t *testing.T) {
	srv := nanomdmtest.Start(t, nanomdmtest.Options{APIKey: deployTestKey})
	dev := srv.NewDevice(t, "")
	dev.Enroll(t)
	if cmd := dev.Idle(t); cmd != nil {
		t.Fatalf("a new device has a command already:\n%s", cmd)
	}
	p := compileDeployProfiles(t)

	r := runCLI(t, nil, map[string]string{envMDMAPIKey: deployTestKey},
		"deploy", p.signedPath, "--nanomdm-url", srv.URL, "--udid", dev.UDID, "--no-push")
	if r.code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	m := deployLine.FindStringSubmatch(strings.TrimSuffix(r.stdout, "\n"))
	if m == nil || m[1] != p.signedPath || m[2] != dev.UDID || m[4] != "not pushed (--no-push): the device gets it when it next checks in" {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	commandUUID := m[3]
	if n := len(srv.Pushes()); n != 0 {
		t.Errorf("%d pushes sent with --no-push", n)
	}
	if strings.Contains(r.stdout+r.stderr, deployTestKey) {
		t.Error("the API key was printed")
	}

	// The device checks in and gets the command.
	raw := dev.Idle(t)
	if raw == nil {
		t.Fatal("the device got no command")
	}
	c := decodeCommandPlist(t, raw)
	if c.CommandUUID != commandUUID || c.Command.RequestType != "InstallProfile" {
		t.Errorf("command %s %s, want InstallProfile %s", c.Command.RequestType, c.CommandUUID, commandUUID)
	}
	if !bytes.Equal(c.Command.Payload, p.signed) {
		t.Fatalf("the Payload the device got (%d bytes) is not the signed profile (%d bytes) byte for byte", len(c.Command.Payload), len(p.signed))
	}
	v, err := signing.Verify(c.Command.Payload, signing.VerifyOptions{Roots: p.root.Pool()})
	if err != nil || !v.SignatureValid || !v.ChainVerified {
		t.Fatalf("the Payload does not verify: %v", err)
	}
	content, err := signing.Unsign(c.Command.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(content, p.unsigned) {
		t.Errorf("the Payload unsigns to\n%s\nwant\n%s", content, p.unsigned)
	}
	model, _, err := plistout.Decode(content)
	if err != nil || model["PayloadType"] != "Configuration" || !strings.HasPrefix(model["PayloadIdentifier"].(string), "com.contoso.warehouse.") {
		t.Errorf("the profile is %v (err %v)", model["PayloadIdentifier"], err)
	}

	// The device installs it and says so; then the queue is empty.
	if next := dev.Acknowledge(t, commandUUID); next != nil {
		t.Errorf("after the acknowledgement the device got:\n%s", next)
	}
	if next := dev.Idle(t); next != nil {
		t.Errorf("the next poll returned a command:\n%s", next)
	}
}

// TestDeployPush deploys two profiles to two devices with pushes, printing
// JSON, and checks the push results against what reached APNs.
func TestDeployPush(t *testing.T) {
	srv := nanomdmtest.Start(t, nanomdmtest.Options{APIKey: deployTestKey})
	a, b := srv.NewDevice(t, ""), srv.NewDevice(t, "")
	a.Enroll(t)
	b.Enroll(t)
	p := compileDeployProfiles(t)
	second := filepath.Join(t.TempDir(), "second.mobileconfig")
	if err := os.WriteFile(second, p.signed, 0o600); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "api-key")
	if err := os.WriteFile(keyFile, []byte(deployTestKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	r := runCLI(t, nil, nil, "deploy", p.signedPath, second, "--nanomdm-url", srv.URL+"/",
		"--udid", a.UDID+", "+b.UDID, "--udid", a.UDID, "--api-key-file", keyFile, "--json")
	if r.code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	var report deployReport
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, r.stdout)
	}
	pushes := srv.Pushes()
	if len(pushes) != 4 {
		t.Fatalf("APNs got %d pushes, want 2 profiles × 2 devices", len(pushes))
	}
	tokens := map[string]string{a.UDID: a.TokenHex(), b.UDID: b.TokenHex()}
	pushedTo := map[string]string{} // apns-id → token
	for _, push := range pushes {
		pushedTo[push.ID] = push.Token
	}
	if !report.OK || report.NoPush || len(report.Results) != 4 {
		t.Fatalf("report %+v", report)
	}
	uuids := map[string][]string{} // device → command UUIDs in order
	for i, res := range report.Results {
		wantProfile := []string{p.signedPath, second}[i/2]
		wantDevice := []string{a.UDID, b.UDID}[i%2]
		if res.Profile != wantProfile || res.Device != wantDevice || res.RequestType != "InstallProfile" || res.HTTPStatus != 200 ||
			!res.Queued || !res.Pushed || res.PushError != "" || res.CommandError != "" || res.Error != "" {
			t.Errorf("results[%d] = %+v", i, res)
		}
		if pushedTo[res.PushResult] != tokens[res.Device] {
			t.Errorf("results[%d]: push_result %q is not the APNs id of a push to %s", i, res.PushResult, res.Device)
		}
		uuids[res.Device] = append(uuids[res.Device], res.CommandUUID)
	}
	if uuids[a.UDID][0] == uuids[a.UDID][1] || uuids[a.UDID][0] != uuids[b.UDID][0] {
		t.Errorf("command UUIDs %v: want one per profile, shared by the devices", uuids)
	}
	// Each device gets both commands, in order.
	for _, d := range []*nanomdmtest.Device{a, b} {
		cmd := d.Idle(t)
		for _, uuid := range uuids[d.UDID] {
			c := decodeCommandPlist(t, cmd)
			if c.CommandUUID != uuid || !bytes.Equal(c.Command.Payload, p.signed) {
				t.Fatalf("%s got command %s, want %s", d.UDID, c.CommandUUID, uuid)
			}
			cmd = d.Acknowledge(t, uuid)
		}
		if cmd != nil {
			t.Errorf("%s has a third command", d.UDID)
		}
	}
}

func TestDeployFailures(t *testing.T) {
	srv := nanomdmtest.Start(t, nanomdmtest.Options{APIKey: deployTestKey})
	dev := srv.NewDevice(t, "")
	dev.Enroll(t)
	p := compileDeployProfiles(t)
	env := map[string]string{envMDMAPIKey: deployTestKey}
	const unknown = "00000000-0000-0000-0000-0000DEADBEEF"

	t.Run("wrong key", func(t *testing.T) {
		r := runCLI(t, nil, map[string]string{envMDMAPIKey: "not the key"},
			"deploy", p.signedPath, "--nanomdm-url", srv.URL, "--udid", dev.UDID)
		want := p.signedPath + ": not deployed: the server at " + srv.URL + "/v1/enqueue/" + dev.UDID + ` refused the API user "nanomdm" and key (HTTP 401 Unauthorized)`
		if r.code != exitError || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "--api-key-file or "+envMDMAPIKey) {
			t.Errorf("exit %d, stderr:\n%s\nwant %q", r.code, r.stderr, want)
		}
		if strings.Contains(r.stderr, "not the key") || r.stdout != "" {
			t.Errorf("stdout %q; stderr shows the key: %v", r.stdout, strings.Contains(r.stderr, "not the key"))
		}
		if cmd := dev.Idle(t); cmd != nil {
			t.Errorf("a command was queued with a wrong key")
		}
	})

	t.Run("unknown device", func(t *testing.T) {
		// NanoMDM queues the command and answers HTTP 500, as only the
		// push failed: queued, not pushed, exit status 3.
		r := runCLI(t, nil, env, "deploy", p.signedPath, "--nanomdm-url", srv.URL, "--udid", dev.UDID+","+unknown)
		if r.code != exitNotPushed {
			t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
		}
		want := regexp.MustCompile(regexp.QuoteMeta(p.signedPath+": "+unknown+": InstallProfile ") + `[0-9A-F-]{36}` +
			regexp.QuoteMeta(" queued, but not pushed: push data missing for id (NanoMDM has no push token for this ID: the device is not enrolled, or the UDID is wrong)"))
		if !want.MatchString(r.stderr) || !strings.Contains(r.stderr, "every command was queued, but 1 of 2 push(es) failed or are unknown") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		if strings.Contains(r.stderr, dev.UDID) {
			t.Errorf("stderr names the device that succeeded:\n%s", r.stderr)
		}
		m := deployLine.FindStringSubmatch(strings.TrimSuffix(r.stdout, "\n"))
		if m == nil || m[2] != dev.UDID || !strings.HasPrefix(m[4], "push sent (APNs id ") {
			t.Errorf("stdout:\n%s", r.stdout)
		}
		dev.Acknowledge(t, decodeCommandPlist(t, dev.Idle(t)).CommandUUID)

		// The same as JSON.
		r = runCLI(t, nil, env, "deploy", p.signedPath, "--nanomdm-url", srv.URL, "--udid", unknown, "--json")
		var report deployReport
		if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
		}
		if r.code != exitNotPushed || report.OK || len(report.Results) != 1 {
			t.Fatalf("exit %d, report %+v", r.code, report)
		}
		if res := report.Results[0]; res.Device != unknown || res.HTTPStatus != 500 || !res.Queued || res.Pushed || res.PushError != "push data missing for id" || res.State != "queued-not-pushed" {
			t.Errorf("result %+v", res)
		}

		// Without pushes nothing tells an unknown device from another.
		r = runCLI(t, nil, env, "deploy", p.signedPath, "--nanomdm-url", srv.URL, "--udid", unknown, "--no-push", "--json")
		report = deployReport{}
		if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
		}
		if r.code != exitOK || !report.OK || len(report.Results) != 1 || report.Results[0].State != "queued" || !report.Results[0].Queued || report.Results[0].Pushed {
			t.Errorf("exit %d, report %+v\n%s", r.code, report, r.stderr)
		}
	})

	t.Run("push refused by APNs", func(t *testing.T) {
		refused := srv.NewDevice(t, "")
		refused.Enroll(t)
		refused.RejectPushes("BadDeviceToken")
		r := runCLI(t, nil, env, "deploy", p.signedPath, "--nanomdm-url", srv.URL, "--udid", refused.UDID, "--json")
		var report deployReport
		if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
		}
		if r.code != exitNotPushed || report.OK || len(report.Results) != 1 {
			t.Fatalf("exit %d, report %+v\n%s", r.code, report, r.stderr)
		}
		res := report.Results[0]
		if res.State != "queued-not-pushed" || !res.Queued || res.Pushed || !strings.Contains(res.PushError, "BadDeviceToken") || res.HTTPStatus != 500 {
			t.Errorf("result %+v", res)
		}
		if !strings.Contains(r.stderr, "queued, but not pushed") || !strings.Contains(r.stderr, "do not deploy it again") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		// Queued means queued: the device gets it when it checks in.
		c := decodeCommandPlist(t, refused.Idle(t))
		if c.CommandUUID != res.CommandUUID || !bytes.Equal(c.Command.Payload, p.signed) {
			t.Errorf("the device got command %s", c.CommandUUID)
		}
		refused.Acknowledge(t, c.CommandUUID)
	})

	t.Run("API path in the URL", func(t *testing.T) {
		for _, path := range []string{"/v1", "/v1/", "/v1/enqueue", "/v1/enqueue/"} {
			for _, noPush := range []bool{false, true} {
				args := []string{"deploy", p.signedPath, "--nanomdm-url", srv.URL + path, "--udid", dev.UDID}
				if noPush {
					args = append(args, "--no-push")
				}
				r := runCLI(t, nil, env, args...)
				if r.code != exitUsage || !strings.Contains(r.stderr, "ends in NanoMDM's API path") || !strings.Contains(r.stderr, "give the server's root URL ("+srv.URL+")") {
					t.Errorf("%s, no push %v: exit %d, want 2\n%s", path, noPush, r.code, r.stderr)
				}
			}
		}
		if cmd := dev.Idle(t); cmd != nil {
			t.Errorf("a command was queued: %s", cmd)
		}
	})

	t.Run("misconfigured proxy", func(t *testing.T) {
		// A proxy that adds /v1/enqueue itself: NanoMDM queues for
		// "v1/enqueue/<UDID>" and says so when it pushes.
		backend, _ := url.Parse(srv.URL)
		proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(backend)
			r.Out.URL.Path, r.Out.URL.RawPath = "/v1/enqueue"+r.In.URL.Path, ""
		}})
		defer proxy.Close()
		second := filepath.Join(t.TempDir(), "second.mobileconfig")
		writeOrFail(t, second, p.signed)
		r := runCLI(t, nil, env, "deploy", p.signedPath, second, "--nanomdm-url", proxy.URL, "--udid", dev.UDID, "--json")
		var report deployReport
		if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
		}
		if r.code != exitError || report.OK || len(report.Results) != 2 {
			t.Fatalf("exit %d, report %+v\n%s", r.code, report, r.stderr)
		}
		if res := report.Results[0]; res.State != "unknown" || res.Queued || !strings.Contains(res.Error, `not requested ("v1/enqueue/`+dev.UDID+`")`) {
			t.Errorf("first result %+v", res)
		}
		if res := report.Results[1]; res.State != "not-sent" {
			t.Errorf("second result %+v", res)
		}
		if !strings.Contains(r.stderr, "the NanoMDM URL must be the server's root URL") || !strings.Contains(r.stderr, "deploy failed for 2 of 2") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		if cmd := dev.Idle(t); cmd != nil {
			t.Errorf("the device got a command: %s", cmd)
		}
	})

	t.Run("unsigned refused", func(t *testing.T) {
		var requests atomic.Int32
		counter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1) }))
		defer counter.Close()
		unsigned := filepath.Join(t.TempDir(), "unsigned.mobileconfig")
		if err := os.WriteFile(unsigned, p.unsigned, 0o600); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, nil, env, "deploy", p.signedPath, unsigned, "--nanomdm-url", counter.URL, "--udid", dev.UDID)
		if r.code != exitError || !strings.Contains(r.stderr, unsigned+" is not signed") || !strings.Contains(r.stderr, "--allow-unsigned") ||
			!strings.Contains(r.stderr, "1 of 2 profile(s) cannot be deployed; nothing was sent") {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
		if n := requests.Load(); n != 0 {
			t.Errorf("%d requests sent", n)
		}

		// Allowed, it reaches the device with a warning.
		r = runCLI(t, nil, env, "deploy", unsigned, "--nanomdm-url", srv.URL, "--udid", dev.UDID, "--no-push", "--allow-unsigned")
		if r.code != exitOK || !strings.Contains(r.stderr, "warning: "+unsigned+" is not signed") {
			t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
		c := decodeCommandPlist(t, dev.Idle(t))
		if !bytes.Equal(c.Command.Payload, p.unsigned) {
			t.Errorf("the device got another Payload")
		}
		dev.Acknowledge(t, c.CommandUUID)
	})

	t.Run("server down", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		r := runCLI(t, nil, env, "deploy", p.signedPath, p.signedPath, "--nanomdm-url", "http://"+addr, "--udid", dev.UDID, "--json")
		want := p.signedPath + ": not deployed: cannot connect to http://" + addr + "/v1/enqueue/" + dev.UDID + ": connection refused (is the server running, and is the URL right?)"
		if r.code != exitError || !strings.Contains(r.stderr, want) {
			t.Errorf("exit %d, stderr:\n%s\nwant %q", r.code, r.stderr, want)
		}
		var report deployReport
		if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
		}
		if len(report.Results) != 2 || !strings.Contains(report.Results[0].Error, "connection refused") || !strings.HasPrefix(report.Results[1].Error, "not sent: an earlier request failed") {
			t.Errorf("report %+v", report)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer slow.Close()
		defer close(release)
		r := runCLI(t, nil, env, "deploy", p.signedPath, "--nanomdm-url", slow.URL, "--udid", dev.UDID, "--timeout", "200ms")
		want := "not deployed: no answer from " + slow.URL + "/v1/enqueue/" + dev.UDID + " within 200ms (--timeout)"
		if r.code != exitError || !strings.Contains(r.stderr, want) {
			t.Errorf("exit %d, stderr:\n%s\nwant %q", r.code, r.stderr, want)
		}
	})

	t.Run("server error", func(t *testing.T) {
		broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream connect error", http.StatusBadGateway)
		}))
		defer broken.Close()
		r := runCLI(t, nil, env, "deploy", p.signedPath, "--nanomdm-url", broken.URL, "--udid", dev.UDID)
		if r.code != exitError || !strings.Contains(r.stderr, "answered HTTP 502 Bad Gateway: upstream connect error") {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
	})
}

func TestDeployUsage(t *testing.T) {
	p := compileDeployProfiles(t)
	env := map[string]string{envMDMAPIKey: deployTestKey}
	dir := t.TempDir()
	emptyKey := filepath.Join(dir, "empty-key")
	if err := os.WriteFile(emptyKey, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	looseKey := filepath.Join(dir, "loose-key")
	if err := os.WriteFile(looseKey, []byte(deployTestKey), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(looseKey, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	graphJSON := repoPath("fixtures", "psk-ondemand", "input.json")
	const url = "https://mdm.contoso.example"
	tests := []struct {
		name    string
		environ map[string]string
		args    []string
		code    int
		want    string
	}{
		{"no profile", env, []string{"--nanomdm-url", url, "--udid", "A"}, exitUsage, "deploy takes one or more PROFILE files"},
		{"no URL", env, []string{p.signedPath, "--udid", "A"}, exitUsage, "--nanomdm-url is required"},
		{"bad URL", env, []string{p.signedPath, "--nanomdm-url", "mdm.contoso.example", "--udid", "A"}, exitUsage, "must start with https://"},
		{"URL with key", env, []string{p.signedPath, "--nanomdm-url", "https://nanomdm:hunter2@mdm.contoso.example", "--udid", "A"}, exitUsage, "holds a user name or password"},
		{"no udid", env, []string{p.signedPath, "--nanomdm-url", url}, exitUsage, "--udid is required"},
		{"empty udid", env, []string{p.signedPath, "--nanomdm-url", url, "--udid", "A,,B"}, exitUsage, "device ID (UDID) is empty"},
		{"udid with slash", env, []string{p.signedPath, "--nanomdm-url", url, "--udid", "A/B"}, exitUsage, `contains '/'`},
		{"no key", nil, []string{p.signedPath, "--nanomdm-url", url, "--udid", "A"}, exitUsage, "no API key: give --api-key-file FILE or set " + envMDMAPIKey},
		{"empty key file", nil, []string{p.signedPath, "--nanomdm-url", url, "--udid", "A", "--api-key-file", emptyKey}, exitError, "the API key file " + emptyKey + " is empty"},
		{"missing key file", nil, []string{p.signedPath, "--nanomdm-url", url, "--udid", "A", "--api-key-file", filepath.Join(dir, "nope")}, exitError, "no such file"},
		{"loose key file", nil, []string{graphJSON, "--nanomdm-url", url, "--udid", "A", "--api-key-file", looseKey}, exitError, "warning: the API key file " + looseKey + " is readable by group or others (mode 0644)"},
		{"bad timeout", env, []string{p.signedPath, "--nanomdm-url", url, "--udid", "A", "--timeout", "0s"}, exitUsage, "--timeout must be positive"},
		{"not a profile", env, []string{graphJSON, "--nanomdm-url", url, "--udid", "A"}, exitError, graphJSON + ": the file is not a configuration profile: not a property list: it is neither XML nor binary"},
		{"cleartext", env, []string{graphJSON, "--nanomdm-url", "http://mdm.contoso.example", "--udid", "A"}, exitError, "warning: --nanomdm-url is plain http to mdm.contoso.example: the API key and the profiles cross the network unencrypted; use https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.environ, append([]string{"deploy"}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
			if strings.Contains(r.stderr, "hunter2") || strings.Contains(r.stderr, deployTestKey) {
				t.Errorf("a secret was printed:\n%s", r.stderr)
			}
		})
	}
	// Loopback http is not warned about.
	r := runCLI(t, nil, env, "deploy", graphJSON, "--nanomdm-url", "http://127.0.0.1:1", "--udid", "A")
	if strings.Contains(r.stderr, "plain http") {
		t.Errorf("warned about loopback http:\n%s", r.stderr)
	}
}

// TestDeployNeverPrintsTheKey has a hostile server echo the API key and
// its basic token in every place deploy prints from: a redirect's
// Location, NanoMDM's result fields, an error page cut at 200 bytes, and
// escape sequences: neither the text nor the --json output holds the key,
// the token, a prefix of either, or a terminal control character.
func TestDeployNeverPrintsTheKey(t *testing.T) {
	p := compileDeployProfiles(t)
	const key = "deploy-key-0123456789-abcdefghij"
	token := base64.StdEncoding.EncodeToString([]byte("nanomdm:" + key))
	hostile := "\x1b[2J\x1b]0;pwned\x07\u202eevil\u202c\u009b31m"
	j, _ := json.Marshal(hostile)
	hostileJSON := string(j[1 : len(j)-1])
	answers := []struct {
		name   string
		status int
		header map[string]string
		body   func(uuid string) string
	}{
		{"redirect", 307, map[string]string{"Location": "https://evil.example/" + key + "?t=" + token}, func(string) string { return "" }},
		{"result fields", 500, nil, func(uuid string) string {
			return `{"command_error":"` + key + hostileJSON + `","push_error":"Basic ` + token + `","command_uuid":"` + uuid + `","request_type":"InstallProfile"}`
		}},
		{"per-device fields", 207, nil, func(uuid string) string {
			return `{"status":{"A":{"push_error":"` + token + hostileJSON + `"},"B":{"push_result":"` + key + `"}},"command_uuid":"` + uuid + `","request_type":"InstallProfile"}`
		}},
		{"error page", 502, nil, func(string) string { return strings.Repeat("z", 190) + key + hostile }},
		{"error page with the token", 502, nil, func(string) string { return strings.Repeat("z", 185) + "Basic " + token }},
	}
	for _, a := range answers {
		for _, asJSON := range []bool{false, true} {
			name := a.name
			if asJSON {
				name += ", json"
			}
			t.Run(name, func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					uuid := ""
					if c, err := mdm.DecodeCommand(body); err == nil {
						uuid = c.CommandUUID
					}
					for k, v := range a.header {
						w.Header().Set(k, v)
					}
					w.WriteHeader(a.status)
					io.WriteString(w, a.body(uuid))
				}))
				defer srv.Close()
				args := []string{"deploy", p.signedPath, "--nanomdm-url", srv.URL, "--udid", "A,B"}
				if asJSON {
					args = append(args, "--json")
				}
				r := runCLI(t, nil, map[string]string{envMDMAPIKey: key}, args...)
				if r.code == exitOK {
					t.Errorf("exit 0")
				}
				out := r.stdout + r.stderr
				for _, secret := range []string{key, token} {
					for n := 8; n <= len(secret); n++ {
						if strings.Contains(out, secret[:n]+"…") || strings.Contains(out, secret[:n]+`\u2026`) || n == len(secret) && strings.Contains(out, secret) {
							t.Errorf("the output holds %q:\n%s", secret[:n], out)
							break
						}
					}
				}
				for _, r := range out {
					if r < 0x20 && r != '\n' || r >= 0x7f && r < 0xa0 || r == 0x202e || r == 0x202c {
						t.Errorf("the output holds the control character %U:\n%q", r, out)
						break
					}
				}
				if strings.Contains(out, `\u001b`) || strings.Contains(out, `\u202e`) {
					t.Errorf("the JSON output holds an escaped control sequence:\n%s", out)
				}
			})
		}
	}
}
