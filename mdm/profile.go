package mdm

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// Profile describes a configuration profile file as ReadProfile found it.
type Profile struct {
	// Identifier is the profile's PayloadIdentifier, what RemoveProfile
	// names.
	Identifier string
	// UUID is the profile's PayloadUUID.
	UUID string
	// DisplayName is the profile's PayloadDisplayName, if any.
	DisplayName string
	// Signed reports a CMS-signed profile whose signature verified over its
	// content. Whether the signer is trusted is not checked: that is up to
	// the device.
	Signed bool
	// Signer is the signer certificate of a signed profile.
	Signer *x509.Certificate
}

// ErrNotProfile is wrapped by the errors ReadProfile returns for data that is
// not a configuration profile.
var ErrNotProfile = errors.New("not a configuration profile")

// ReadProfile checks that data is a configuration profile that a device can
// install: a property list (XML or binary) whose root dictionary has
// PayloadType "Configuration", a PayloadIdentifier and a PayloadUUID, either
// as it is or as the content of a CMS SignedData whose signature verifies.
// A signed profile whose signature does not verify is an error, since the
// device would refuse it.
func ReadProfile(data []byte) (*Profile, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotProfile)
	}
	var p Profile
	content := data
	if signing.IsCMS(data) {
		signed, err := signing.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%w: it is CMS but not a readable signed profile: %v", ErrNotProfile, err)
		}
		if signed.Content == nil {
			return nil, fmt.Errorf("%w: it is a detached CMS signature with no profile inside", ErrNotProfile)
		}
		if _, err := signing.Verify(data, signing.VerifyOptions{}); err != nil {
			return nil, fmt.Errorf("the profile's signature is not valid: %w", err)
		}
		p.Signed, p.Signer, content = true, signed.Signer, signed.Content
	}
	m, _, err := plistout.Decode(content)
	if err != nil {
		if p.Signed {
			return nil, fmt.Errorf("%w: the signed content is %v", ErrNotProfile, err)
		}
		detail := strings.TrimPrefix(err.Error(), plistout.ErrNotPlist.Error()+": ")
		return nil, fmt.Errorf("%w: it is neither a property list nor CMS-signed (%s)", ErrNotProfile, detail)
	}
	typ, _ := m["PayloadType"].(string)
	if typ != "Configuration" {
		if typ == "" {
			return nil, fmt.Errorf("%w: the property list has no PayloadType (a profile's is \"Configuration\")", ErrNotProfile)
		}
		return nil, fmt.Errorf("%w: its PayloadType is %q, want \"Configuration\" (is it a single payload rather than a whole profile?)", ErrNotProfile, typ)
	}
	p.Identifier, _ = m["PayloadIdentifier"].(string)
	p.UUID, _ = m["PayloadUUID"].(string)
	p.DisplayName, _ = m["PayloadDisplayName"].(string)
	if p.Identifier == "" {
		return nil, fmt.Errorf("%w: it has no PayloadIdentifier", ErrNotProfile)
	}
	if p.UUID == "" {
		return nil, fmt.Errorf("%w: it has no PayloadUUID", ErrNotProfile)
	}
	return &p, nil
}
