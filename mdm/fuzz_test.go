package mdm_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	mplist "github.com/micromdm/plist"

	"github.com/graph2mobileconfig/graph2mobileconfig/mdm"
)

// fuzzUUID is the CommandUUID of the seeds.
const fuzzUUID = "0F8FAD5B-D9CB-469F-A165-70867728950E"

// fuzzDevice is the UDID the MicroMDM JSON names.
const fuzzDevice = "00008030-001A2B3C4D5E6F70"

// fuzzCommand is a command plist as github.com/micromdm/plist, a parser
// independent of the one the package writes with, reads it.
type fuzzCommand struct {
	CommandUUID string
	Command     struct {
		RequestType string
		Payload     []byte
		Identifier  string
	}
}

// fuzzMicroMDM is the JSON body of MicroMDM's POST /v1/commands.
type fuzzMicroMDM struct {
	UDID        string `json:"udid"`
	CommandUUID string `json:"command_uuid"`
	RequestType string `json:"request_type"`
	Payload     []byte `json:"payload"`
	Identifier  string `json:"identifier"`
}

// FuzzCommand builds and reads MDM commands from arbitrary profile bytes,
// identifiers and command UUIDs. Nothing panics; reading arbitrary bytes as
// a profile or as a command fails cleanly or gives consistent results; an
// InstallProfile command is built for every non-empty profile and valid
// UUID, and decodes back, with DecodeCommand and with micromdm/plist, to
// the very same Payload bytes, as does its MicroMDM JSON; a RemoveProfile
// command that is built decodes back to its identifier.
func FuzzCommand(f *testing.F) {
	var seeds [][]byte
	for _, pattern := range []string{"testdata/*", "../fixtures/*/expected.mobileconfig"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, data)
		}
	}
	if len(seeds) < 5 {
		f.Fatalf("only %d seed files found", len(seeds))
	}
	identifiers := []string{"com.contoso.vpn", "", " ", "com.contoso vpn", "a\x00b", "é.ü.vpn", "a&b<c>d", "]]>"}
	uuids := []string{fuzzUUID, "0f8fad5b-d9cb-469f-a165-70867728950e", "", "not-a-uuid", "0F8FAD5B-D9CB-469F-A165-70867728950"}
	for i, data := range seeds {
		f.Add(data, identifiers[i%len(identifiers)], uuids[i%len(uuids)])
	}
	f.Add([]byte{}, "com.contoso.vpn", fuzzUUID)
	f.Add([]byte("\x00"), "com.contoso.vpn", fuzzUUID)

	f.Fuzz(func(t *testing.T, data []byte, identifier, commandUUID string) {
		// Arbitrary bytes as a command.
		if c, err := mdm.DecodeCommand(data); err == nil {
			if c.CommandUUID == "" || c.RequestType == "" {
				t.Fatalf("DecodeCommand accepted a command without CommandUUID or RequestType: %+v", c)
			}
			if body, err := mdm.MicroMDMCommandJSON(fuzzDevice, data); err == nil {
				checkMicroMDM(t, body, c)
			}
		}

		uuidOK := mdm.CheckCommandUUID(commandUUID) == nil
		install, err := mdm.InstallProfileCommand(data, commandUUID)
		switch {
		case !uuidOK || len(data) == 0:
			if err == nil {
				t.Fatalf("InstallProfileCommand(%d bytes, %q) succeeded", len(data), commandUUID)
			}
		case err != nil:
			t.Fatalf("InstallProfileCommand(%d bytes, %q): %v", len(data), commandUUID, err)
		default:
			c, err := mdm.DecodeCommand(install)
			if err != nil {
				t.Fatalf("DecodeCommand cannot read an InstallProfile command: %v\n%s", err, install)
			}
			want := &mdm.Command{CommandUUID: commandUUID, RequestType: mdm.RequestInstallProfile, Payload: data}
			if c.CommandUUID != want.CommandUUID || c.RequestType != want.RequestType || !bytes.Equal(c.Payload, data) || c.Identifier != "" {
				t.Fatalf("DecodeCommand = %+v, want %+v", c, want)
			}
			var mc fuzzCommand
			if err := mplist.Unmarshal(install, &mc); err != nil {
				t.Fatalf("micromdm/plist cannot read an InstallProfile command: %v\n%s", err, install)
			}
			if mc.CommandUUID != commandUUID || mc.Command.RequestType != mdm.RequestInstallProfile || !bytes.Equal(mc.Command.Payload, data) {
				t.Fatalf("micromdm/plist reads CommandUUID %q, RequestType %q and a %d-byte Payload; want %q, InstallProfile and the %d-byte profile",
					mc.CommandUUID, mc.Command.RequestType, len(mc.Command.Payload), commandUUID, len(data))
			}
			body, err := mdm.MicroMDMCommandJSON(fuzzDevice, install)
			if err != nil {
				t.Fatalf("MicroMDMCommandJSON of an InstallProfile command: %v", err)
			}
			checkMicroMDM(t, body, want)
		}

		remove, err := mdm.RemoveProfileCommand(identifier, commandUUID)
		if err != nil {
			return
		}
		if !uuidOK {
			t.Fatalf("RemoveProfileCommand accepted the command UUID %q", commandUUID)
		}
		if !xmlText(identifier) {
			// RemoveProfileCommand should refuse an identifier that an
			// XML property list cannot hold, but it writes it as it is
			// and the command cannot be read back; see
			// TestRemoveProfileCommandRefusesNonXMLText.
			return
		}
		c, err := mdm.DecodeCommand(remove)
		if err != nil {
			t.Fatalf("DecodeCommand cannot read a RemoveProfile command for %q: %v\n%s", identifier, err, remove)
		}
		if c.CommandUUID != commandUUID || c.RequestType != mdm.RequestRemoveProfile || c.Identifier != identifier || c.Payload != nil {
			t.Fatalf("DecodeCommand = %+v, want RemoveProfile %q for %q", c, commandUUID, identifier)
		}
		var mc fuzzCommand
		if err := mplist.Unmarshal(remove, &mc); err != nil {
			t.Fatalf("micromdm/plist cannot read a RemoveProfile command for %q: %v\n%s", identifier, err, remove)
		}
		if mc.Command.Identifier != identifier {
			t.Fatalf("micromdm/plist reads the identifier %q, want %q", mc.Command.Identifier, identifier)
		}
		body, err := mdm.MicroMDMCommandJSON(fuzzDevice, remove)
		if err != nil {
			t.Fatalf("MicroMDMCommandJSON of a RemoveProfile command: %v", err)
		}
		checkMicroMDM(t, body, c)
	})
}

// checkMicroMDM checks that body is the MicroMDM JSON of the command c.
func checkMicroMDM(t *testing.T, body []byte, c *mdm.Command) {
	t.Helper()
	var m fuzzMicroMDM
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("the MicroMDM JSON does not parse: %v\n%s", err, body)
	}
	if m.UDID != fuzzDevice || m.CommandUUID != c.CommandUUID || m.RequestType != c.RequestType {
		t.Fatalf("MicroMDM JSON names %q, %q, %q; want %q, %q, %q", m.UDID, m.CommandUUID, m.RequestType, fuzzDevice, c.CommandUUID, c.RequestType)
	}
	switch c.RequestType {
	case mdm.RequestInstallProfile:
		if !bytes.Equal(m.Payload, c.Payload) {
			t.Fatalf("MicroMDM JSON carries a %d-byte payload, want the %d-byte profile", len(m.Payload), len(c.Payload))
		}
	case mdm.RequestRemoveProfile:
		if m.Identifier != c.Identifier && utf8.ValidString(c.Identifier) {
			t.Fatalf("MicroMDM JSON names the identifier %q, want %q", m.Identifier, c.Identifier)
		}
	default:
		t.Fatalf("MicroMDM JSON built for the request type %q", c.RequestType)
	}
}

// xmlText reports whether s can be the text of an XML element: valid UTF-8
// of the characters XML 1.0 allows.
func xmlText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return false
		}
	}
	return true
}

// TestRemoveProfileCommandRefusesNonXMLText builds RemoveProfile for
// identifiers that an XML property list cannot hold: each must be refused,
// or the command must at least read back (a regression test for a crasher
// the fuzzer found).
func TestRemoveProfileCommandRefusesNonXMLText(t *testing.T) {
	for _, id := range []string{"com.contoso.\xbb", "com.contoso.\xff\xfe", "com.contoso.\uFFFE", "com.contoso.\uFFFF"} {
		t.Run(id, func(t *testing.T) {
			command, err := mdm.RemoveProfileCommand(id, fuzzUUID)
			if err != nil {
				return
			}
			c, err := mdm.DecodeCommand(command)
			if err == nil && c.Identifier == id {
				return
			}
			t.Errorf("RemoveProfileCommand(%q) wrote a command that does not read back (%v)", id, err)
		})
	}
}
