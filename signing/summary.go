package signing

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CertificateInfo describes a certificate for people and for JSON output:
// who it names, who issued it and when it is valid.
type CertificateInfo struct {
	// Subject and Issuer are distinguished names in RFC 2253 form, such as
	// "CN=Test Signer,O=Contoso".
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	// SerialNumber is the serial number in upper-case hexadecimal.
	SerialNumber string    `json:"serialNumber"`
	NotBefore    time.Time `json:"notBefore"`
	NotAfter     time.Time `json:"notAfter"`
	// PublicKey names the key type and size, such as "RSA-2048" or
	// "ECDSA-P256".
	PublicKey string `json:"publicKey"`
	// SHA256Fingerprint is the SHA-256 digest of the DER certificate, in
	// upper-case hexadecimal pairs separated by colons.
	SHA256Fingerprint string `json:"sha256Fingerprint"`
	// SelfSigned reports that subject and issuer are the same name.
	SelfSigned bool `json:"selfSigned,omitempty"`
}

// DescribeCertificate returns what people want to know about c.
func DescribeCertificate(c *x509.Certificate) CertificateInfo {
	sum := sha256.Sum256(c.Raw)
	return CertificateInfo{
		Subject:           c.Subject.String(),
		Issuer:            c.Issuer.String(),
		SerialNumber:      fmt.Sprintf("%X", c.SerialNumber),
		NotBefore:         c.NotBefore.UTC(),
		NotAfter:          c.NotAfter.UTC(),
		PublicKey:         KeyDescription(c.PublicKey),
		SHA256Fingerprint: colonHex(sum[:]),
		SelfSigned:        string(c.RawSubject) == string(c.RawIssuer),
	}
}

// KeyDescription names a public key's type and size: "RSA-2048",
// "ECDSA-P256", "Ed25519".
func KeyDescription(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA-" + strings.ReplaceAll(k.Curve.Params().Name, "-", "")
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

func colonHex(b []byte) string {
	var s strings.Builder
	for i, c := range b {
		if i > 0 {
			s.WriteByte(':')
		}
		fmt.Fprintf(&s, "%02X", c)
	}
	return s.String()
}

// Recipient names one recipient of a CMS EnvelopedData: the certificate
// whose private key can decrypt it.
type Recipient struct {
	// Issuer and SerialNumber name the recipient certificate when the
	// EnvelopedData does so by issuer and serial number (what Encrypt and
	// "openssl cms -encrypt" write); Issuer is in RFC 2253 form and
	// SerialNumber in upper-case hexadecimal.
	Issuer       string `json:"issuer,omitempty"`
	SerialNumber string `json:"serialNumber,omitempty"`
	// SubjectKeyID names the recipient certificate by its subject key
	// identifier instead ("openssl cms -encrypt -keyid"), in hexadecimal.
	SubjectKeyID string `json:"subjectKeyId,omitempty"`
	// KeyEncryption names the key transport algorithm, such as
	// "RSA PKCS#1 v1.5" or "RSA-OAEP"; other recipient kinds (key
	// agreement, key encryption keys, passwords) are named by kind alone.
	KeyEncryption string `json:"keyEncryption"`
}

// Envelope describes a CMS EnvelopedData without decrypting it.
type Envelope struct {
	// Recipients are the recipients in the order they appear.
	Recipients []Recipient `json:"recipients"`
	// ContentEncryption names the content cipher, such as "AES-256-CBC".
	ContentEncryption string `json:"contentEncryption"`
}

// ParseEnvelope reads the recipients and the content cipher of a CMS
// EnvelopedData (DER or BER), such as an encrypted profile's
// EncryptedPayloadContent, so that a tool can say to which device
// certificate it is encrypted. It decrypts nothing.
func ParseEnvelope(data []byte) (*Envelope, error) {
	ci, err := parseContentInfo(data)
	if err != nil {
		return nil, err
	}
	if !ci.ContentType.Equal(oidEnvelopedData) {
		return nil, fmt.Errorf("the data is CMS content of type %s, not EnvelopedData", ci.ContentType)
	}
	var env envelopedDataASN
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &env); err != nil || len(rest) != 0 {
		return nil, errors.New("malformed CMS EnvelopedData")
	}
	e := &Envelope{ContentEncryption: cipherName(env.EncryptedContentInfo.Algorithm.Algorithm)}
	for _, raw := range env.RecipientInfos {
		if raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagSequence {
			e.Recipients = append(e.Recipients, Recipient{KeyEncryption: otherRecipientKind(raw)})
			continue
		}
		var k keyTransRecipientInfo
		if _, err := asn1.Unmarshal(raw.FullBytes, &k); err != nil {
			return nil, errors.New("malformed KeyTransRecipientInfo")
		}
		r := Recipient{KeyEncryption: k.KeyEncryptionAlgorithm.Algorithm.String()}
		switch alg := k.KeyEncryptionAlgorithm.Algorithm; {
		case alg.Equal(oidRSAEncryption):
			r.KeyEncryption = "RSA PKCS#1 v1.5"
		case alg.Equal(oidRSAESOAEP):
			r.KeyEncryption = "RSA-OAEP"
		}
		switch {
		case k.RID.Class == asn1.ClassUniversal && k.RID.Tag == asn1.TagSequence:
			var ias issuerAndSerial
			if _, err := asn1.Unmarshal(k.RID.FullBytes, &ias); err != nil {
				return nil, errors.New("malformed recipient identifier")
			}
			var name pkix.RDNSequence
			if _, err := asn1.Unmarshal(ias.Issuer.FullBytes, &name); err != nil {
				return nil, errors.New("malformed recipient issuer name")
			}
			var n pkix.Name
			n.FillFromRDNSequence(&name)
			r.Issuer = n.String()
			r.SerialNumber = fmt.Sprintf("%X", ias.Serial)
		case k.RID.Class == asn1.ClassContextSpecific && k.RID.Tag == 0:
			r.SubjectKeyID = fmt.Sprintf("%X", k.RID.Bytes)
		}
		e.Recipients = append(e.Recipients, r)
	}
	return e, nil
}

// otherRecipientKind names a RecipientInfo that is not key transport
// (RFC 5652, section 6.2).
func otherRecipientKind(raw asn1.RawValue) string {
	if raw.Class == asn1.ClassContextSpecific {
		switch raw.Tag {
		case 1:
			return "key agreement"
		case 2:
			return "key encryption key"
		case 3:
			return "password"
		}
	}
	return "other"
}

// cipherName names a content encryption algorithm.
func cipherName(oid asn1.ObjectIdentifier) string {
	switch {
	case oid.Equal(oidAES128CBC):
		return "AES-128-CBC"
	case oid.Equal(oidAES192CBC):
		return "AES-192-CBC"
	case oid.Equal(oidAES256CBC):
		return "AES-256-CBC"
	case oid.Equal(oidDESEDE3CBC):
		return "3DES-CBC"
	}
	return oid.String()
}
