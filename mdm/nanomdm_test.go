package mdm_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/nanomdmtest"
	"github.com/graph2mobileconfig/graph2mobileconfig/mdm"
)

// TestNanoMDMClient enqueues commands on a real NanoMDM (in-process, on
// loopback) and has a simulated device fetch them.
func TestNanoMDMClient(t *testing.T) {
	srv := nanomdmtest.Start(t, nanomdmtest.Options{APIKey: "correct horse"})
	dev := srv.NewDevice(t, "")
	dev.Enroll(t)
	other := srv.NewDevice(t, "")
	other.Enroll(t)
	ctx := context.Background()
	client := &mdm.NanoMDMClient{BaseURL: srv.URL, APIKey: "correct horse"}
	profile := readTestProfile(t)

	t.Run("push", func(t *testing.T) {
		uuid := mdm.NewCommandUUID()
		cmd, err := mdm.InstallProfileCommand(profile, uuid)
		if err != nil {
			t.Fatal(err)
		}
		before := len(srv.Pushes())
		res, err := client.Enqueue(ctx, []string{dev.UDID, other.UDID}, cmd, false)
		if err != nil {
			t.Fatal(err)
		}
		pushes := srv.Pushes()[before:]
		if len(pushes) != 2 {
			t.Fatalf("APNs got %d pushes, want 2", len(pushes))
		}
		apnsID := map[string]string{}
		for _, p := range pushes {
			apnsID[p.Token] = p.ID
		}
		want := &mdm.EnqueueResult{
			StatusCode: 200, CommandUUID: uuid, RequestType: "InstallProfile",
			Devices: []mdm.DeviceResult{
				{ID: dev.UDID, Queued: true, Pushed: true, PushResult: apnsID[dev.TokenHex()]},
				{ID: other.UDID, Queued: true, Pushed: true, PushResult: apnsID[other.TokenHex()]},
			},
		}
		checkResult(t, res, want)
		for _, d := range []*nanomdmtest.Device{dev, other} {
			got := d.Idle(t)
			if !bytes.Equal(got, cmd) {
				t.Fatalf("%s got command\n%s\nwant\n%s", d.UDID, got, cmd)
			}
			if next := d.Acknowledge(t, uuid); next != nil {
				t.Errorf("after acknowledging, %s got another command:\n%s", d.UDID, next)
			}
		}
	})

	t.Run("no push", func(t *testing.T) {
		uuid := mdm.NewCommandUUID()
		cmd, err := mdm.RemoveProfileCommand("com.contoso.vpn", uuid)
		if err != nil {
			t.Fatal(err)
		}
		before := len(srv.Pushes())
		res, err := client.Enqueue(ctx, []string{dev.UDID}, cmd, true)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(srv.Pushes()) - before; n != 0 {
			t.Errorf("%d pushes sent with noPush", n)
		}
		checkResult(t, res, &mdm.EnqueueResult{
			StatusCode: 200, CommandUUID: uuid, RequestType: "RemoveProfile", NoPush: true,
			Devices: []mdm.DeviceResult{{ID: dev.UDID, Queued: true}},
		})
		if got := dev.Idle(t); !bytes.Equal(got, cmd) {
			t.Fatalf("device got %s", got)
		}
		dev.Acknowledge(t, uuid)
	})

	t.Run("unknown device", func(t *testing.T) {
		uuid := mdm.NewCommandUUID()
		cmd, err := mdm.InstallProfileCommand(profile, uuid)
		if err != nil {
			t.Fatal(err)
		}
		const unknown = "00000000-0000-0000-0000-0000DEADBEEF"
		res, err := client.Enqueue(ctx, []string{dev.UDID, unknown}, cmd, false)
		var ee *mdm.EnqueueError
		if !errors.As(err, &ee) || ee.Result != res {
			t.Fatalf("err = %v, want an *EnqueueError holding the result", err)
		}
		if res.StatusCode != http.StatusMultiStatus {
			t.Errorf("StatusCode = %d, want 207", res.StatusCode)
		}
		failed := res.Failed()
		if len(failed) != 1 || failed[0].ID != unknown || !failed[0].Queued || failed[0].PushError != "push data missing for id" {
			t.Fatalf("Failed() = %+v, want only %s, queued, with NanoMDM's push error", failed, unknown)
		}
		for _, want := range []string{"failed for 1 of 2 device(s) (HTTP 207)", unknown + ": queued, but not pushed: push data missing for id", "not enrolled, or the UDID is wrong"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		if strings.Contains(err.Error(), dev.UDID) {
			t.Errorf("error %q names the device that succeeded", err)
		}
		dev.Idle(t)
		dev.Acknowledge(t, uuid)
	})

	t.Run("same command twice", func(t *testing.T) {
		uuid := mdm.NewCommandUUID()
		cmd, err := mdm.RemoveProfileCommand("com.contoso.vpn", uuid)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.Enqueue(ctx, []string{dev.UDID}, cmd, true); err != nil {
			t.Fatal(err)
		}
		res, err := client.Enqueue(ctx, []string{dev.UDID}, cmd, true)
		var ee *mdm.EnqueueError
		if !errors.As(err, &ee) {
			t.Fatalf("err = %v, want an *EnqueueError", err)
		}
		if res.StatusCode != 500 || !strings.Contains(res.CommandError, "command already exists") || len(res.Devices) != 1 || res.Devices[0].Queued {
			t.Errorf("result = %+v, want HTTP 500, a command error, and the device not queued", res)
		}
		if !strings.Contains(err.Error(), dev.UDID+": not queued: ") {
			t.Errorf("error %q does not name the device", err)
		}
		dev.Idle(t)
		dev.Acknowledge(t, uuid)
	})

	t.Run("wrong key", func(t *testing.T) {
		cmd, _ := mdm.RemoveProfileCommand("com.x", mdm.NewCommandUUID())
		bad := &mdm.NanoMDMClient{BaseURL: srv.URL, APIKey: "battery staple"}
		res, err := bad.Enqueue(ctx, []string{dev.UDID}, cmd, true)
		if res != nil || !errors.Is(err, mdm.ErrUnauthorized) {
			t.Fatalf("Enqueue = %v, %v; want ErrUnauthorized", res, err)
		}
		if !strings.Contains(err.Error(), `refused the API user "nanomdm" and key (HTTP 401 Unauthorized)`) {
			t.Errorf("error %q", err)
		}
		if strings.Contains(err.Error(), "battery") {
			t.Errorf("the error shows the API key: %q", err)
		}
		if got := dev.Idle(t); got != nil {
			t.Errorf("a command was queued with a wrong key: %s", got)
		}
	})

	t.Run("wrong user", func(t *testing.T) {
		cmd, _ := mdm.RemoveProfileCommand("com.x", mdm.NewCommandUUID())
		bad := &mdm.NanoMDMClient{BaseURL: srv.URL, APIUser: "admin", APIKey: "correct horse"}
		_, err := bad.Enqueue(ctx, []string{dev.UDID}, cmd, true)
		if !errors.Is(err, mdm.ErrUnauthorized) || !strings.Contains(err.Error(), `user "admin"`) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("wrong path", func(t *testing.T) {
		cmd, _ := mdm.RemoveProfileCommand("com.x", mdm.NewCommandUUID())
		bad := &mdm.NanoMDMClient{BaseURL: srv.URL + "/nanomdm", APIKey: "correct horse"}
		_, err := bad.Enqueue(ctx, []string{dev.UDID}, cmd, true)
		var se *mdm.StatusError
		if !errors.As(err, &se) || se.StatusCode != 404 || !strings.Contains(err.Error(), "no enqueue API at "+srv.URL+"/nanomdm/v1/enqueue/") {
			t.Fatalf("err = %v", err)
		}
		// NanoMDM's own API paths are refused before anything is sent.
		for _, path := range []string{"/v1", "/v1/", "/v1/enqueue", "/v1/enqueue/", "/v1/enqueue/" + dev.UDID} {
			bad := &mdm.NanoMDMClient{BaseURL: srv.URL + path, APIKey: "correct horse"}
			if _, err := bad.Enqueue(ctx, []string{dev.UDID}, cmd, true); err == nil || !strings.Contains(err.Error(), "ends in NanoMDM's API path") {
				t.Errorf("%s: err = %v", path, err)
			}
		}
		if got := dev.Idle(t); got != nil {
			t.Errorf("a command was queued through a wrong path: %s", got)
		}
	})
}

func checkResult(t *testing.T, got, want *mdm.EnqueueResult) {
	t.Helper()
	if got == nil {
		t.Fatal("no result")
	}
	if got.StatusCode != want.StatusCode || got.CommandUUID != want.CommandUUID || got.RequestType != want.RequestType ||
		got.NoPush != want.NoPush || got.CommandError != want.CommandError || got.PushError != want.PushError {
		t.Errorf("result = %+v\nwant     %+v", got, want)
	}
	if len(got.Devices) != len(want.Devices) {
		t.Fatalf("Devices = %+v\nwant      %+v", got.Devices, want.Devices)
	}
	for i := range want.Devices {
		if got.Devices[i] != want.Devices[i] {
			t.Errorf("Devices[%d] = %+v\nwant         %+v", i, got.Devices[i], want.Devices[i])
		}
		if !got.Devices[i].OK() || got.Devices[i].Problem() != "" {
			t.Errorf("Devices[%d] not OK: %s", i, got.Devices[i].Problem())
		}
	}
}

// TestEnqueueRequest checks the request the client sends.
func TestEnqueueRequest(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		io.WriteString(w, `{"no_push":true,"command_uuid":"`+fixedUUID+`","request_type":"InstallProfile"}`)
	}))
	defer srv.Close()
	cmd, err := mdm.InstallProfileCommand([]byte("profile"), fixedUUID)
	if err != nil {
		t.Fatal(err)
	}
	c := &mdm.NanoMDMClient{BaseURL: srv.URL + "/nanomdm/", APIKey: "k"}
	res, err := c.Enqueue(context.Background(), []string{"A-1", "B-2"}, cmd, true)
	if err != nil {
		t.Fatal(err)
	}
	user, pass, _ := got.BasicAuth()
	if got.Method != http.MethodPut || got.URL.Path != "/nanomdm/v1/enqueue/A-1,B-2" || got.URL.RawQuery != "nopush=1" || user != "nanomdm" || pass != "k" || !bytes.Equal(body, cmd) {
		t.Errorf("request %s %s (user %q), body equal %v", got.Method, got.URL, user, bytes.Equal(body, cmd))
	}
	checkResult(t, res, &mdm.EnqueueResult{StatusCode: 200, CommandUUID: fixedUUID, RequestType: "InstallProfile", NoPush: true,
		Devices: []mdm.DeviceResult{{ID: "A-1", Queued: true}, {ID: "B-2", Queued: true}}})
}

// TestEnqueueAnswers maps answers that NanoMDM itself does not give (proxies,
// wrong servers) to errors.
func TestEnqueueAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string
		want   string
	}{
		{"bad gateway", 502, nil, "<html>\n<body>upstream\tdown</body></html>", `answered HTTP 502 Bad Gateway: <html> <body>upstream down</body></html>`},
		{"500 without JSON", 500, nil, "boom", "answered HTTP 500 Internal Server Error: boom"},
		{"503 empty", 503, nil, "", "answered HTTP 503 Service Unavailable with no explanation"},
		{"200 not JSON", 200, nil, "<html>welcome</html>", "(HTTP 200) is not NanoMDM's result for this request: it is not a JSON object"},
		{"200 null", 200, nil, "null", "it is not a JSON object"},
		{"200 empty", 200, nil, "", "it is not a JSON object"},
		{"200 empty object", 200, nil, "{}", "it names no command"},
		{"200 JSON of another shape", 200, nil, `{"status": []}`, "its JSON does not have the fields of NanoMDM's result"},
		{"200 another command", 200, nil, `{"command_uuid": "00000000-0000-4000-8000-000000000000", "request_type": "RemoveProfile"}`, `it names command "00000000-0000-4000-8000-000000000000", not the command ` + fixedUUID},
		{"200 another request type", 200, nil, `{"command_uuid": "` + fixedUUID + `", "request_type": "InstallProfile"}`, `it names request type "InstallProfile", not RemoveProfile`},
		{"unrequested IDs", 500, nil, `{"status": {"v1/enqueue/A": {"push_error": "push data missing for id"}}, "command_uuid": "` + fixedUUID + `", "request_type": "RemoveProfile"}`,
			`it reports on enrollment IDs that were not requested ("v1/enqueue/A"): the command may have been queued under those IDs; the NanoMDM URL must be the server's root URL, without /v1 or /v1/enqueue`},
		{"redirect", 308, map[string]string{"Location": "https://mdm.example/v1/enqueue/A"}, "", `redirects (HTTP 308 Permanent Redirect) to "https://mdm.example/v1/enqueue/A"`},
		{"forbidden", 403, nil, "denied", "answered HTTP 403 Forbidden: denied"},
		{"long body", 502, nil, strings.Repeat("x", 500), strings.Repeat("x", 200) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			cmd, _ := mdm.RemoveProfileCommand("com.x", fixedUUID)
			c := &mdm.NanoMDMClient{BaseURL: srv.URL, APIKey: "k"}
			res, err := c.Enqueue(context.Background(), []string{"A"}, cmd, false)
			if res != nil || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Enqueue = %v, %v; want an error containing %q", res, err, tt.want)
			}
			if !strings.Contains(err.Error(), srv.URL+"/v1/enqueue/A") {
				t.Errorf("error %q does not name the URL", err)
			}
		})
	}
}

func TestEnqueueConnectionErrors(t *testing.T) {
	cmd, _ := mdm.RemoveProfileCommand("com.x", fixedUUID)

	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c := &mdm.NanoMDMClient{BaseURL: "http://" + addr, APIKey: "k"}
		_, err = c.Enqueue(context.Background(), []string{"A"}, cmd, false)
		var ce *mdm.ConnectionError
		if !errors.As(err, &ce) || !ce.Refused() || ce.Timeout() {
			t.Fatalf("err = %v, want a refused *ConnectionError", err)
		}
		want := "cannot connect to http://" + addr + "/v1/enqueue/A: connection refused (is the server running, and is the URL right?)"
		if err.Error() != want {
			t.Errorf("error %q\nwant      %q", err, want)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(release)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		c := &mdm.NanoMDMClient{BaseURL: srv.URL, APIKey: "k"}
		_, err := c.Enqueue(ctx, []string{"A"}, cmd, false)
		var ce *mdm.ConnectionError
		if !errors.As(err, &ce) || !ce.Timeout() || ce.Refused() {
			t.Fatalf("err = %v, want a timed-out *ConnectionError", err)
		}
		if !strings.Contains(err.Error(), "no answer from "+srv.URL+"/v1/enqueue/A in time") {
			t.Errorf("error %q", err)
		}
	})
}

func TestEnqueueArguments(t *testing.T) {
	cmd, _ := mdm.RemoveProfileCommand("com.x", fixedUUID)
	tests := []struct {
		name    string
		base    string
		ids     []string
		command []byte
		want    string
	}{
		{"no URL", "", []string{"A"}, cmd, "server URL is empty"},
		{"ftp URL", "ftp://mdm.example", []string{"A"}, cmd, "must start with https://"},
		{"no ids", "https://mdm.example", nil, cmd, "no device IDs"},
		{"comma in id", "https://mdm.example", []string{"A,B"}, cmd, `contains ','`},
		{"no command", "https://mdm.example", []string{"A"}, nil, "command is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &mdm.NanoMDMClient{BaseURL: tt.base, HTTPClient: failDoer{t}}
			_, err := c.Enqueue(context.Background(), tt.ids, tt.command, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

type failDoer struct{ t *testing.T }

func (d failDoer) Do(r *http.Request) (*http.Response, error) {
	d.t.Errorf("a request was sent: %s %s", r.Method, r.URL)
	return nil, errors.New("no")
}

func TestParseServerURL(t *testing.T) {
	tests := []struct {
		in        string
		want      string // error substring; "" = valid
		cleartext bool
	}{
		{"https://mdm.contoso.example", "", false},
		{"https://mdm.contoso.example:8443/nanomdm/", "", false},
		{"http://127.0.0.1:9000", "", false},
		{"http://[::1]:9000", "", false},
		{"http://localhost:9000", "", false},
		{"http://mdm.contoso.example", "", true},
		{"http://10.0.0.5:9000", "", true},
		{"mdm.contoso.example", "must start with https://", false},
		{"ftp://mdm.contoso.example", "must start with https://", false},
		{"https://", "has no host", false},
		{"https://nanomdm:secret@mdm.contoso.example", "holds a user name or password", false},
		{"https://mdm.contoso.example/?x=1", "query or fragment", false},
		{"https://mdm.contoso.example/#x", "query or fragment", false},
		{"https://mdm contoso", "does not parse", false},
		{"https://mdm.contoso.example/v1", `ends in NanoMDM's API path /v1; give the server's root URL (https://mdm.contoso.example)`, false},
		{"https://mdm.contoso.example/v1/", "ends in NanoMDM's API path /v1;", false},
		{"https://mdm.contoso.example/v1/enqueue", "ends in NanoMDM's API path /v1/enqueue;", false},
		{"https://mdm.contoso.example/v1/enqueue/", "ends in NanoMDM's API path /v1/enqueue;", false},
		{"https://mdm.contoso.example/nanomdm/v1/enqueue/ABC", `ends in NanoMDM's API path /v1/enqueue/ABC; give the server's root URL (https://mdm.contoso.example/nanomdm)`, false},
		{"https://mdm.contoso.example/v1/push", "ends in NanoMDM's API path /v1/push;", false},
		{"https://mdm.contoso.example/v1x/", "", false},
		{"https://mdm.contoso.example/api/v2/", "", false},
	}
	for _, tt := range tests {
		u, err := mdm.ParseServerURL(tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ParseServerURL(%q) = %v", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("ParseServerURL(%q) = %v, want an error containing %q", tt.in, err, tt.want)
		case err == nil && mdm.Cleartext(u) != tt.cleartext:
			t.Errorf("Cleartext(%q) = %v, want %v", tt.in, !tt.cleartext, tt.cleartext)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseServerURL(%q) shows the password: %v", tt.in, err)
		}
	}
	if mdm.Cleartext(&url.URL{Scheme: "https", Host: "10.0.0.5"}) {
		t.Error("https counted as cleartext")
	}
}
