package mdm_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/nanomdmtest"
	"github.com/graph2mobileconfig/graph2mobileconfig/mdm"
)

// TestEnqueueStatesNanoMDM enqueues on a real NanoMDM for an enrolled
// device, an unenrolled one and one whose pushes APNs refuses, with and
// without pushes: a device is not queued only when NanoMDM says so; a push
// error leaves it queued but not pushed, although NanoMDM answers HTTP 500
// when that is the only error; and the devices that were queued get the
// command when they check in.
func TestEnqueueStatesNanoMDM(t *testing.T) {
	srv := nanomdmtest.Start(t, nanomdmtest.Options{APIKey: "correct horse"})
	enrolled := srv.NewDevice(t, "")
	enrolled.Enroll(t)
	rejected := srv.NewDevice(t, "")
	rejected.Enroll(t)
	rejected.RejectPushes("BadDeviceToken")
	unenrolled := srv.NewDevice(t, "")
	client := &mdm.NanoMDMClient{BaseURL: srv.URL, APIKey: "correct horse"}
	profile := readTestProfile(t)

	tests := []struct {
		name    string
		ids     []*nanomdmtest.Device
		noPush  bool
		code    int
		states  []mdm.DeviceState
		pushErr []string
	}{
		{"unenrolled, push", []*nanomdmtest.Device{unenrolled}, false, 500,
			[]mdm.DeviceState{mdm.StateNotPushed}, []string{"push data missing for id"}},
		{"unenrolled, no push", []*nanomdmtest.Device{unenrolled}, true, 200,
			[]mdm.DeviceState{mdm.StateQueued}, []string{""}},
		{"push refused by APNs", []*nanomdmtest.Device{rejected}, false, 500,
			[]mdm.DeviceState{mdm.StateNotPushed}, []string{"BadDeviceToken"}},
		{"one of each, push", []*nanomdmtest.Device{enrolled, rejected, unenrolled}, false, 207,
			[]mdm.DeviceState{mdm.StatePushed, mdm.StateNotPushed, mdm.StateNotPushed}, []string{"", "BadDeviceToken", "push data missing for id"}},
		{"one of each, no push", []*nanomdmtest.Device{enrolled, rejected, unenrolled}, true, 200,
			[]mdm.DeviceState{mdm.StateQueued, mdm.StateQueued, mdm.StateQueued}, []string{"", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uuid := mdm.NewCommandUUID()
			cmd, err := mdm.InstallProfileCommand(profile, uuid)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, d := range tt.ids {
				ids = append(ids, d.UDID)
			}
			res, err := client.Enqueue(context.Background(), ids, cmd, tt.noPush)
			if res == nil {
				t.Fatalf("no result: %v", err)
			}
			allOK := true
			for _, s := range tt.states {
				allOK = allOK && (s == mdm.StatePushed || s == mdm.StateQueued)
			}
			var ee *mdm.EnqueueError
			if allOK != (err == nil) || !allOK && !errors.As(err, &ee) {
				t.Errorf("err = %v", err)
			}
			if res.StatusCode != tt.code || res.CommandUUID != uuid || res.PushRequested == tt.noPush || !res.AllQueued() {
				t.Errorf("result %+v", res)
			}
			for i, d := range res.Devices {
				if d.ID != ids[i] || d.State() != tt.states[i] || !strings.Contains(d.PushError, tt.pushErr[i]) || tt.pushErr[i] == "" && d.PushError != "" {
					t.Errorf("device %d: %+v, state %s; want %s, push error %q", i, d, d.State(), tt.states[i], tt.pushErr[i])
				}
			}
			if err != nil && !strings.Contains(err.Error(), "queued, but not pushed") {
				t.Errorf("error %q", err)
			}
			// Every enrolled device has the command: queued means queued.
			for _, d := range tt.ids {
				if d == unenrolled {
					continue
				}
				got := d.Idle(t)
				if !bytes.Equal(got, cmd) {
					t.Fatalf("%s got %s, want the command", d.UDID, got)
				}
				d.Acknowledge(t, uuid)
			}
		})
	}
}

// TestEnqueueThroughMisconfiguredProxy puts a reverse proxy in front of a
// real NanoMDM that adds /v1/enqueue to every path, as a proxy set up for
// another client might: NanoMDM then queues the command for the enrollment
// ID "v1/enqueue/<UDID>" and answers for it. With pushes, the answer names
// IDs that were not requested, which is an error pointing at the URL, not
// a device queued and pushed.
func TestEnqueueThroughMisconfiguredProxy(t *testing.T) {
	srv := nanomdmtest.Start(t, nanomdmtest.Options{APIKey: "correct horse"})
	dev := srv.NewDevice(t, "")
	dev.Enroll(t)
	backend, _ := url.Parse(srv.URL)
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(backend)
		r.Out.URL.Path = "/v1/enqueue" + r.In.URL.Path
		r.Out.URL.RawPath = ""
	}})
	defer proxy.Close()
	client := &mdm.NanoMDMClient{BaseURL: proxy.URL, APIKey: "correct horse"}
	cmd, _ := mdm.InstallProfileCommand(readTestProfile(t), mdm.NewCommandUUID())
	res, err := client.Enqueue(context.Background(), []string{dev.UDID}, cmd, false)
	var ae *mdm.AnswerError
	if res != nil || !errors.As(err, &ae) {
		t.Fatalf("Enqueue = %+v, %v; want an *AnswerError", res, err)
	}
	for _, want := range []string{proxy.URL + "/v1/enqueue/" + dev.UDID, `not requested ("v1/enqueue/` + dev.UDID + `")`, "root URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if got := dev.Idle(t); got != nil {
		t.Errorf("the device got a command: %s", got)
	}
}

// TestEnqueueAnswerSemantics maps NanoMDM result documents to device
// states, for answers a real NanoMDM gives in situations the tests cannot
// set up (no push certificate, a store error) and for incomplete ones.
func TestEnqueueAnswerSemantics(t *testing.T) {
	const u = fixedUUID
	tests := []struct {
		name   string
		noPush bool
		status int
		body   string
		want   []mdm.DeviceState
	}{
		{"all pushed", false, 200, `{"status":{"A":{"push_result":"id-a"},"B":{"push_result":"id-b"}},"command_uuid":"` + u + `","request_type":"RemoveProfile"}`,
			[]mdm.DeviceState{mdm.StatePushed, mdm.StatePushed}},
		{"no push", true, 200, `{"no_push":true,"command_uuid":"` + u + `","request_type":"RemoveProfile"}`,
			[]mdm.DeviceState{mdm.StateQueued, mdm.StateQueued}},
		{"push asked, one device missing from status", false, 200, `{"status":{"A":{"push_result":"id-a"}},"command_uuid":"` + u + `","request_type":"RemoveProfile"}`,
			[]mdm.DeviceState{mdm.StatePushed, mdm.StatePushUnknown}},
		{"push asked, no status at all", false, 200, `{"command_uuid":"` + u + `","request_type":"RemoveProfile"}`,
			[]mdm.DeviceState{mdm.StatePushUnknown, mdm.StatePushUnknown}},
		{"push error for the request (no push certificate)", false, 500, `{"push_error":"retrieving push cert for topic","command_uuid":"` + u + `","request_type":"RemoveProfile"}`,
			[]mdm.DeviceState{mdm.StateNotPushed, mdm.StateNotPushed}},
		{"push asked, server pushes nothing", false, 200, `{"no_push":true,"command_uuid":"` + u + `","request_type":"RemoveProfile"}`,
			[]mdm.DeviceState{mdm.StateNotPushed, mdm.StateNotPushed}},
		{"enqueue error for one ID", false, 207, `{"status":{"A":{"command_error":"store down","push_result":"id-a"},"B":{"push_result":"id-b"}},"command_uuid":"` + u + `","request_type":"RemoveProfile"}`,
			[]mdm.DeviceState{mdm.StateNotQueued, mdm.StatePushed}},
		{"enqueue error for the request", false, 500, `{"command_error":"command already exists","command_uuid":"` + u + `","request_type":"RemoveProfile"}`,
			[]mdm.DeviceState{mdm.StateNotQueued, mdm.StateNotQueued}},
		{"enqueue error without command UUID", true, 500, `{"command_error":"decoding command: bad plist","no_push":true}`,
			[]mdm.DeviceState{mdm.StateNotQueued, mdm.StateNotQueued}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			cmd, _ := mdm.RemoveProfileCommand("com.x", fixedUUID)
			c := &mdm.NanoMDMClient{BaseURL: srv.URL, APIKey: "k"}
			res, err := c.Enqueue(context.Background(), []string{"A", "B"}, cmd, tt.noPush)
			if res == nil {
				t.Fatalf("no result: %v", err)
			}
			ok := true
			for i, d := range res.Devices {
				if d.State() != tt.want[i] {
					t.Errorf("%s: %s (%+v), want %s", d.ID, d.State(), d, tt.want[i])
				}
				ok = ok && d.OK()
			}
			if ok != (err == nil) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// TestEnqueueNeverLeaksTheKey has a server echo the API key and its basic
// token everywhere it can: a redirect's Location, the result's
// command_error and push_error, an error page where the key straddles the
// 200-byte cut, escape sequences splitting the key: no error or result
// holds the key, its token or a prefix of either, nor any terminal control
// sequence.
func TestEnqueueNeverLeaksTheKey(t *testing.T) {
	const key = "s3cr3t-API-key-that-is-long-enough"
	token := base64.StdEncoding.EncodeToString([]byte("nanomdm:" + key))
	hostile := "\x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 \u202eetacilpud\u202c \u009b2J"
	j, _ := json.Marshal(hostile)
	hostileJSON := string(j[1 : len(j)-1])
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string
	}{
		{"redirect", 302, map[string]string{"Location": "https://evil.example/?k=" + key + "&t=" + token + "&" + url.QueryEscape(key)}, ""},
		{"command error", 500, nil, `{"command_error":"bad key ` + key + ` / Basic ` + token + ` ` + hostileJSON + `","command_uuid":"` + fixedUUID + `"}`},
		{"push error", 500, nil, `{"push_error":"Authorization: Basic ` + token + hostileJSON + `","command_uuid":"` + fixedUUID + `","request_type":"RemoveProfile"}`},
		{"per-device errors", 207, nil, `{"status":{"A":{"push_error":"` + key + `"},"B":{"command_error":"` + token + `","push_result":"` + key + `"}},"command_uuid":"` + fixedUUID + `","request_type":"RemoveProfile"}`},
		{"key at the cut", 502, nil, strings.Repeat("x", 190) + key},
		{"token at the cut", 502, nil, strings.Repeat("y", 188) + token},
		{"key split by escapes", 502, nil, "s3cr3t-API\x1b[0m-key-that-is-long-enough " + hostile},
		{"JSON-escaped key", 500, nil, `{"command_error":"` + strings.ReplaceAll(key, "-", `\u002d`) + `","command_uuid":"` + fixedUUID + `"}`},
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
			c := &mdm.NanoMDMClient{BaseURL: srv.URL, APIKey: key}
			res, err := c.Enqueue(context.Background(), []string{"A", "B"}, cmd, false)
			if err == nil {
				t.Fatal("no error")
			}
			text := err.Error()
			if res != nil {
				text += " " + res.CommandError + " " + res.PushError
				for _, d := range res.Devices {
					text += " " + d.PushError + " " + d.CommandError + " " + d.PushResult + " " + d.Problem()
				}
			}
			checkNoLeak(t, text, key, token)
			if !strings.Contains(text, "«redacted»") && !strings.HasSuffix(tt.name, "at the cut") {
				t.Errorf("nothing was redacted: %s", text)
			}
		})
	}
}

// checkNoLeak fails if text holds the key or the token, a prefix of either
// of 8 characters or more at the end of a cut, or a control character.
func checkNoLeak(t *testing.T, text, key, token string) {
	t.Helper()
	for _, secret := range []string{key, token} {
		for n := 8; n <= len(secret); n++ {
			if strings.Contains(text, secret[:n]+"…") || n == len(secret) && strings.Contains(text, secret) {
				t.Errorf("the text holds %q:\n%q", secret[:n], text)
				break
			}
		}
	}
	for _, r := range text {
		if r < 0x20 || r >= 0x7f && r < 0xa0 || r == 0x202e || r == 0x202c {
			t.Errorf("the text holds the control character %U:\n%q", r, text)
			break
		}
	}
}
