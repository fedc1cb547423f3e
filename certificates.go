package graph2mobileconfig

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// CertificateExport is an Intune certificate profile export (a SCEP or PKCS
// profile, a trusted root) as ReadCertificateExport read it.
type CertificateExport struct {
	// Name names the export in the paths of diagnostics and certificate
	// profiles ("scep.json:$.keySize"); it should differ from the other
	// exports' names.
	Name string
	// Profiles are the certificate profiles the export holds.
	Profiles []graphjson.CertificateProfile
	// Diagnostics are the findings of reading it, in the order found.
	Diagnostics diag.List
}

// ReadCertificateExport reads an export of Intune certificate profiles:
// a single entity, {"value": {...}}, a list response or a bare array, as
// Graph writes them. Other device configurations in a list are skipped; an
// IKEv2 VPN configuration is an error (it is the export to compile), and
// so is a document without any certificate profile. name names the export
// in diagnostics (a file's base name is usual; a colon in it, which would
// read as the end of the name, becomes "_"). lim bounds the parser;
// graphjson.DefaultLimits when zero.
func ReadCertificateExport(name string, data []byte, lim graphjson.Limits) CertificateExport {
	if lim == (graphjson.Limits{}) {
		lim = graphjson.DefaultLimits
	}
	name = strings.ReplaceAll(name, ":", "_")
	profiles, diags := graphjson.DecodeCertificates(data, lim, name)
	return CertificateExport{Name: name, Profiles: profiles, Diagnostics: diags}
}

// LoadClientIdentity reads a client identity to embed for certificate
// authentication (Options.Compile.Identity) from a PKCS#12 file in any
// encoding signing.LoadPKCS12Identity reads. The identity is encoded again
// in the legacy form iOS imports reliably (3DES, SHA-1 MAC), with the same
// password, which the profile carries so that the device imports it
// without asking.
func LoadClientIdentity(pkcs12 []byte, password string) (*compiler.Identity, error) {
	p12, cert, err := signing.ReencodePKCS12ForDevice(pkcs12, password)
	if err != nil {
		return nil, err
	}
	return &compiler.Identity{PKCS12: p12, Password: password, Certificate: cert}, nil
}

// CheckRecipient checks a device certificate to encrypt payloads to, as New
// checks Options.EncryptTo: one whose key is not RSA is refused (a device
// decrypts a profile with RSA key transport), with an error wrapping
// signing.ErrUnsupportedRecipient; one that expired before now is a
// warning with code "recipient-expired", since the device may still hold
// its key.
func CheckRecipient(device *x509.Certificate, now time.Time) (diag.List, error) {
	if _, ok := device.PublicKey.(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("%w; the device certificate %q has an %s key", signing.ErrUnsupportedRecipient, device.Subject.String(), signing.KeyDescription(device.PublicKey))
	}
	var notes diag.List
	if now.After(device.NotAfter) {
		notes.Warnf("recipient-expired", "", "the device certificate %q, to which the payloads are encrypted, expired on %s; make sure the device still holds its private key", device.Subject.String(), device.NotAfter.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return notes, nil
}

// EncryptPayloads replaces a profile's PayloadContent with
// EncryptedPayloadContent: the payload array, serialized as a property
// list and enveloped to the device's certificate (CMS EnvelopedData, RSA
// only), as Apple's "Encrypt and sign a profile" describes. The compilation
// does this when Options.EncryptTo is set; the sign command does it to a
// profile read back.
func EncryptPayloads(profile *compiler.Dict, device *x509.Certificate) error {
	content, ok := profile.Get("PayloadContent")
	if !ok {
		return fmt.Errorf("the profile has no PayloadContent to encrypt")
	}
	plain, err := plistout.Encode(content, plistout.XML)
	if err != nil {
		return fmt.Errorf("cannot encode the payloads for encryption: %v", err)
	}
	env, err := signing.Encrypt(plain, device)
	if err != nil {
		return err
	}
	profile.Delete("PayloadContent")
	profile.Set("EncryptedPayloadContent", env)
	profile.Set("IsEncrypted", true)
	return nil
}
