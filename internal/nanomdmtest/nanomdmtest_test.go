package nanomdmtest

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

// TestDeviceAuthentication checks that the server authenticates devices as
// NanoMDM does, rather than taking any request: only identities issued by
// the device CA, presented in a valid Mdm-Signature, get in, and an
// enrollment stays bound to the identity that authenticated it.
func TestDeviceAuthentication(t *testing.T) {
	s := Start(t, Options{})
	dev := s.NewDevice(t, "")
	dev.Enroll(t)
	if cmd := dev.Idle(t); cmd != nil {
		t.Fatalf("a new device has a command: %s", cmd)
	}

	// An identity from another CA.
	stranger := s.NewDevice(t, "")
	stranger.id = testpki.NewRoot(t, testpki.Options{CommonName: "Other CA"}).NewLeaf(t, testpki.Options{})
	if code, _ := stranger.send(t, "application/x-apple-aspen-mdm", map[string]any{"UDID": stranger.UDID, "Status": "Idle"}); code != http.StatusBadRequest {
		t.Errorf("a device with an untrusted identity got HTTP %d, want 400", code)
	}

	// The enrolled UDID with another (trusted) identity.
	impostor := s.NewDevice(t, dev.UDID)
	if code, _ := impostor.send(t, "application/x-apple-aspen-mdm", map[string]any{"UDID": dev.UDID, "Status": "Idle"}); code == http.StatusOK {
		t.Errorf("another identity could poll for an enrolled device")
	}

	// No Mdm-Signature at all.
	resp, err := http.Post(s.URL+"/mdm", "application/x-apple-aspen-mdm", bytes.NewReader([]byte("<plist/>")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unsigned request got HTTP %d, want 400", resp.StatusCode)
	}

	// The API needs the key.
	for _, key := range []string{"", "wrong"} {
		req, _ := http.NewRequest(http.MethodPut, s.URL+"/v1/enqueue/"+dev.UDID, bytes.NewReader([]byte("x")))
		if key != "" {
			req.SetBasicAuth("nanomdm", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("enqueue with key %q got HTTP %d, want 401", key, resp.StatusCode)
		}
	}
}
