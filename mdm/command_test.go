package mdm_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	mplist "github.com/micromdm/plist"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
	"github.com/graph2mobileconfig/graph2mobileconfig/mdm"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// fixedUUID makes golden outputs deterministic.
const fixedUUID = "0F8FAD5B-D9CB-469F-A165-70867728950E"

// installCommand is an InstallProfile command as an independent parser
// (github.com/micromdm/plist, not the howett.net/plist we write with) reads it.
type installCommand struct {
	CommandUUID string
	Command     struct {
		RequestType string
		Payload     []byte
		Identifier  string
	}
}

func readTestProfile(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "vpn.mobileconfig"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestInstallProfileCommand(t *testing.T) {
	profile := readTestProfile(t)
	got, err := mdm.InstallProfileCommand(profile, fixedUUID)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "install-profile.plist"), got)

	var c installCommand
	if err := mplist.Unmarshal(got, &c); err != nil {
		t.Fatalf("micromdm/plist cannot read the command: %v", err)
	}
	if c.CommandUUID != fixedUUID || c.Command.RequestType != "InstallProfile" {
		t.Errorf("CommandUUID, RequestType = %q, %q; want %q, InstallProfile", c.CommandUUID, c.Command.RequestType, fixedUUID)
	}
	if !bytes.Equal(c.Command.Payload, profile) {
		t.Errorf("Payload is not the profile byte for byte (%d bytes, want %d)", len(c.Command.Payload), len(profile))
	}
	// Payload must be <data>, not a string or a nested dictionary.
	if !bytes.Contains(got, []byte("<key>Payload</key>\n\t\t<data>")) {
		t.Errorf("Payload is not written as <data>:\n%s", got)
	}

	dc, err := mdm.DecodeCommand(got)
	if err != nil {
		t.Fatal(err)
	}
	if dc.CommandUUID != fixedUUID || dc.RequestType != mdm.RequestInstallProfile || !bytes.Equal(dc.Payload, profile) || dc.Identifier != "" {
		t.Errorf("DecodeCommand = %+v", dc)
	}
}

func TestRemoveProfileCommand(t *testing.T) {
	got, err := mdm.RemoveProfileCommand("com.contoso.branch.71c0b9e3-58a4-4d2f-9c61-0e3b5a7d8f24", fixedUUID)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "remove-profile.plist"), got)
	var c installCommand
	if err := mplist.Unmarshal(got, &c); err != nil {
		t.Fatalf("micromdm/plist cannot read the command: %v", err)
	}
	if c.CommandUUID != fixedUUID || c.Command.RequestType != "RemoveProfile" || c.Command.Identifier != "com.contoso.branch.71c0b9e3-58a4-4d2f-9c61-0e3b5a7d8f24" || c.Command.Payload != nil {
		t.Errorf("decoded %+v", c)
	}
}

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		make func() ([]byte, error)
		want string
	}{
		{"install, empty UUID", func() ([]byte, error) { return mdm.InstallProfileCommand([]byte("x"), "") }, "command UUID is empty"},
		{"install, short UUID", func() ([]byte, error) { return mdm.InstallProfileCommand([]byte("x"), "1234") }, "is not a UUID"},
		{"install, empty profile", func() ([]byte, error) { return mdm.InstallProfileCommand(nil, fixedUUID) }, "profile is empty"},
		{"remove, bad UUID", func() ([]byte, error) { return mdm.RemoveProfileCommand("com.x", "not-a-uuid") }, "is not a UUID"},
		{"remove, empty identifier", func() ([]byte, error) { return mdm.RemoveProfileCommand(" ", fixedUUID) }, "identifier is empty"},
		{"remove, identifier with space", func() ([]byte, error) { return mdm.RemoveProfileCommand("com.x y", fixedUUID) }, "spaces or control characters"},
		{"remove, identifier with newline", func() ([]byte, error) { return mdm.RemoveProfileCommand("com.x\n", fixedUUID) }, "spaces or control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.make()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if out != nil {
				t.Errorf("output %q with an error", out)
			}
		})
	}
}

func TestCheckCommandUUID(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = valid
	}{
		{fixedUUID, ""},
		{strings.ToLower(fixedUUID), ""},
		{"00000000-0000-0000-0000-000000000000", ""},
		{"", "empty"},
		{"0F8FAD5B-D9CB-469F-A165-70867728950", "8-4-4-4-12"},
		{"0F8FAD5B-D9CB-469F-A165-70867728950E0", "8-4-4-4-12"},
		{"0F8FAD5BD-9CB-469F-A165-70867728950E", "want a '-' at position 9"},
		{"0F8FAD5B-D9CB-469F-A165-70867728950G", "'G' at position 36"},
		{"{F8FAD5B-D9CB-469F-A165-70867728950E", "'{' at position 1"},
	}
	for _, tt := range tests {
		err := mdm.CheckCommandUUID(tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckCommandUUID(%q) = %v, want nil", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckCommandUUID(%q) = %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}

func TestNewCommandUUID(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		u := mdm.NewCommandUUID()
		if !v4.MatchString(u) {
			t.Fatalf("NewCommandUUID() = %q, not an upper-case version 4 UUID", u)
		}
		if err := mdm.CheckCommandUUID(u); err != nil {
			t.Fatal(err)
		}
		if seen[u] {
			t.Fatalf("NewCommandUUID() repeated %q", u)
		}
		seen[u] = true
	}
}

func TestMicroMDMCommandJSON(t *testing.T) {
	const udid = "55693EB3-DF03-5FD1-9263-F7CDB8AD7FFD"
	profile := readTestProfile(t)
	install, err := mdm.InstallProfileCommand(profile, fixedUUID)
	if err != nil {
		t.Fatal(err)
	}
	remove, err := mdm.RemoveProfileCommand("com.contoso.vpn", fixedUUID)
	if err != nil {
		t.Fatal(err)
	}
	type body struct {
		UDID        string `json:"udid"`
		CommandUUID string `json:"command_uuid"`
		RequestType string `json:"request_type"`
		Payload     string `json:"payload"`
		Identifier  string `json:"identifier"`
	}
	tests := []struct {
		name    string
		command []byte
		golden  string
		want    body
	}{
		{"install", install, "install-profile.micromdm.json", body{udid, fixedUUID, "InstallProfile", base64.StdEncoding.EncodeToString(profile), ""}},
		{"remove", remove, "remove-profile.micromdm.json", body{udid, fixedUUID, "RemoveProfile", "", "com.contoso.vpn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mdm.MicroMDMCommandJSON(udid, tt.command)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", tt.golden), got)
			var b body
			dec := json.NewDecoder(bytes.NewReader(got))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&b); err != nil {
				t.Fatal(err)
			}
			if b != tt.want {
				t.Errorf("decoded %+v\nwant    %+v", b, tt.want)
			}
		})
	}

	other, err := plistout.Encode(map[string]any{"CommandUUID": fixedUUID, "Command": map[string]any{"RequestType": "DeviceLock"}}, plistout.XML)
	if err != nil {
		t.Fatal(err)
	}
	errTests := []struct {
		name, udid string
		command    []byte
		want       string
	}{
		{"no udid", "", install, "device ID (UDID) is empty"},
		{"udid with comma", "A,B", install, `contains ','`},
		{"not a plist", udid, []byte("\x00garbage"), "not a property list"},
		{"other request type", udid, other, "not DeviceLock"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mdm.MicroMDMCommandJSON(tt.udid, tt.command)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDecodeCommandErrors(t *testing.T) {
	enc := func(v any) []byte {
		b, err := plistout.Encode(v, plistout.XML)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a property list"},
		{"no CommandUUID", enc(map[string]any{"Command": map[string]any{"RequestType": "X"}}), "no CommandUUID"},
		{"no Command", enc(map[string]any{"CommandUUID": fixedUUID}), "no Command dictionary"},
		{"no RequestType", enc(map[string]any{"CommandUUID": fixedUUID, "Command": map[string]any{}}), "no Command.RequestType"},
		{"string Payload", enc(map[string]any{"CommandUUID": fixedUUID, "Command": map[string]any{"RequestType": "InstallProfile", "Payload": "abc"}}), "not <data>"},
		{"data Identifier", enc(map[string]any{"CommandUUID": fixedUUID, "Command": map[string]any{"RequestType": "RemoveProfile", "Identifier": []byte("x")}}), "not a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mdm.DecodeCommand(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestCheckDeviceID(t *testing.T) {
	tests := []struct {
		id   string
		want string
	}{
		{"55693EB3-DF03-5FD1-9263-F7CDB8AD7FFD", ""},
		{"00008030-001A2B3C4D5E802E", ""},
		{"", "empty"},
		{"A,B", `','`},
		{"A/B", `'/'`},
		{"A B", `' '`},
		{"A\x00", `'\x00'`},
	}
	for _, tt := range tests {
		err := mdm.CheckDeviceID(tt.id)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckDeviceID(%q) = %v", tt.id, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckDeviceID(%q) = %v, want an error containing %s", tt.id, err, tt.want)
		}
	}
}
