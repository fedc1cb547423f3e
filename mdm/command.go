// Package mdm builds the MDM commands that deliver a configuration profile to
// a device, and enqueues them on an MDM server.
//
// InstallProfileCommand and RemoveProfileCommand write Apple's command plist
// (a dictionary with CommandUUID and Command, whose RequestType names the
// command), which NanoMDM's PUT /v1/enqueue/{id,...} API and MicroMDM's raw
// POST /v1/commands/{udid} take as they are. MicroMDMCommandJSON turns such a
// command into the JSON body of MicroMDM's POST /v1/commands.
//
// NanoMDMClient enqueues a command on a NanoMDM server and reports, per
// enrollment ID, whether it was queued and pushed.
//
// Nothing here keeps state between calls; a client holds only the settings it
// is given.
package mdm

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// Request types of the commands this package builds.
const (
	RequestInstallProfile = "InstallProfile"
	RequestRemoveProfile  = "RemoveProfile"
)

// InstallProfileCommand returns the XML command plist that installs profile
// (the .mobileconfig file, signed or not, byte for byte) as the command
// commandUUID:
//
//	CommandUUID  <string>
//	Command      <dict>
//	    RequestType  InstallProfile
//	    Payload      <data> the profile
//
// commandUUID must be a UUID (see CheckCommandUUID); use NewCommandUUID for
// a random one.
func InstallProfileCommand(profile []byte, commandUUID string) ([]byte, error) {
	if err := CheckCommandUUID(commandUUID); err != nil {
		return nil, err
	}
	if len(profile) == 0 {
		return nil, errors.New("InstallProfile: the profile is empty")
	}
	return encodeCommand(commandUUID, map[string]any{
		"RequestType": RequestInstallProfile,
		"Payload":     profile,
	})
}

// RemoveProfileCommand returns the XML command plist that removes the
// installed profile whose PayloadIdentifier is identifier:
//
//	CommandUUID  <string>
//	Command      <dict>
//	    RequestType  RemoveProfile
//	    Identifier   <string>
func RemoveProfileCommand(identifier, commandUUID string) ([]byte, error) {
	if err := CheckCommandUUID(commandUUID); err != nil {
		return nil, err
	}
	if err := checkIdentifier(identifier); err != nil {
		return nil, err
	}
	return encodeCommand(commandUUID, map[string]any{
		"RequestType": RequestRemoveProfile,
		"Identifier":  identifier,
	})
}

func encodeCommand(commandUUID string, command map[string]any) ([]byte, error) {
	out, err := plistout.Encode(map[string]any{
		"CommandUUID": commandUUID,
		"Command":     command,
	}, plistout.XML)
	if err != nil {
		return nil, fmt.Errorf("encoding the %s command: %w", command["RequestType"], err)
	}
	return out, nil
}

func checkIdentifier(identifier string) error {
	if strings.TrimSpace(identifier) == "" {
		return errors.New("RemoveProfile: the profile identifier is empty")
	}
	if !utf8.ValidString(identifier) || strings.ContainsAny(identifier, "\uFFFE\uFFFF") {
		return errors.New("RemoveProfile: the profile identifier is not valid text (invalid UTF-8 or a non-character), which a property list cannot hold")
	}
	for _, r := range identifier {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return fmt.Errorf("RemoveProfile: the profile identifier %q contains spaces or control characters; a PayloadIdentifier is reverse-DNS, like com.contoso.vpn", identifier)
		}
	}
	return nil
}

// Command is what DecodeCommand reads from a command plist.
type Command struct {
	// CommandUUID identifies the command in the device's replies.
	CommandUUID string
	// RequestType is the command, such as InstallProfile.
	RequestType string
	// Payload is the profile of an InstallProfile command.
	Payload []byte
	// Identifier is the profile identifier of a RemoveProfile command.
	Identifier string
}

// DecodeCommand reads a command plist (XML or binary) of any request type,
// keeping the fields that InstallProfile and RemoveProfile use.
func DecodeCommand(data []byte) (*Command, error) {
	m, _, err := plistout.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("the command is not a property list: %w", err)
	}
	var c Command
	var ok bool
	if c.CommandUUID, ok = m["CommandUUID"].(string); !ok || c.CommandUUID == "" {
		return nil, errors.New("the command has no CommandUUID string")
	}
	cmd, ok := m["Command"].(map[string]any)
	if !ok {
		return nil, errors.New("the command has no Command dictionary")
	}
	if c.RequestType, ok = cmd["RequestType"].(string); !ok || c.RequestType == "" {
		return nil, errors.New("the command has no Command.RequestType string")
	}
	if v, present := cmd["Payload"]; present {
		if c.Payload, ok = v.([]byte); !ok {
			return nil, fmt.Errorf("Command.Payload is a %T, not <data>", v)
		}
	}
	if v, present := cmd["Identifier"]; present {
		if c.Identifier, ok = v.(string); !ok {
			return nil, fmt.Errorf("Command.Identifier is a %T, not a string", v)
		}
	}
	return &c, nil
}

// microMDMCommand is the JSON body of MicroMDM's POST /v1/commands
// (micromdm/micromdm mdm/mdm.CommandRequest). encoding/json writes Payload
// as base64, which is how MicroMDM reads it.
type microMDMCommand struct {
	UDID        string `json:"udid"`
	CommandUUID string `json:"command_uuid,omitempty"`
	RequestType string `json:"request_type"`
	Payload     []byte `json:"payload,omitempty"`
	Identifier  string `json:"identifier,omitempty"`
}

// MicroMDMCommandJSON turns a command plist made by InstallProfileCommand or
// RemoveProfileCommand into the JSON body of MicroMDM's POST /v1/commands for
// the device udid:
//
//	{"udid": "…", "command_uuid": "…", "request_type": "InstallProfile", "payload": "<base64 of the profile>"}
//
// RemoveProfile carries "identifier" instead of "payload". MicroMDM releases
// that predate "command_uuid" ignore it and choose their own. The JSON is
// indented and ends with a newline.
func MicroMDMCommandJSON(udid string, command []byte) ([]byte, error) {
	if err := CheckDeviceID(udid); err != nil {
		return nil, err
	}
	c, err := DecodeCommand(command)
	if err != nil {
		return nil, err
	}
	body := microMDMCommand{UDID: udid, CommandUUID: c.CommandUUID, RequestType: c.RequestType}
	switch c.RequestType {
	case RequestInstallProfile:
		if len(c.Payload) == 0 {
			return nil, errors.New("the InstallProfile command has no Payload")
		}
		body.Payload = c.Payload
	case RequestRemoveProfile:
		if c.Identifier == "" {
			return nil, errors.New("the RemoveProfile command has no Identifier")
		}
		body.Identifier = c.Identifier
	default:
		return nil, fmt.Errorf("MicroMDM JSON is built for InstallProfile and RemoveProfile only, not %s", c.RequestType)
	}
	out, err := json.MarshalIndent(body, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the MicroMDM command: %w", err)
	}
	return append(out, '\n'), nil
}

// NewCommandUUID returns a random (version 4) UUID in upper case, as Apple's
// tools write them.
func NewCommandUUID() string {
	var b [16]byte
	rand.Read(b[:])         // never returns an error (crypto/rand, Go 1.24 and later)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// CheckCommandUUID reports whether s is a UUID in its canonical text form,
// 8-4-4-4-12 hexadecimal digits (either case), as a CommandUUID should be.
func CheckCommandUUID(s string) error {
	if s == "" {
		return errors.New("the command UUID is empty")
	}
	if len(s) != 36 {
		return fmt.Errorf("command UUID %q is not a UUID: want 8-4-4-4-12 hexadecimal digits, such as 0F8FAD5B-D9CB-469F-A165-70867728950E", s)
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return fmt.Errorf("command UUID %q is not a UUID: want a '-' at position %d", s, i+1)
			}
		default:
			if !isHex(r) {
				return fmt.Errorf("command UUID %q is not a UUID: %q at position %d is not a hexadecimal digit", s, r, i+1)
			}
		}
	}
	return nil
}

func isHex(r rune) bool {
	return '0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F'
}

// CheckDeviceID checks an enrollment ID (a device UDID, or a user-channel
// enrollment ID) for what an MDM server's API can address: not empty, no
// commas (NanoMDM separates IDs with them), slashes, spaces or control
// characters.
func CheckDeviceID(id string) error {
	if id == "" {
		return errors.New("the device ID (UDID) is empty")
	}
	for _, r := range id {
		if r == ',' || r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("device ID %q contains %q; a UDID is letters, digits and dashes", id, r)
		}
	}
	return nil
}
