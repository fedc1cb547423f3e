package signing

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Object identifiers used in CMS (RFC 5652) and its algorithm profiles.
var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidEnvelopedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}

	oidAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}

	oidRSAEncryption   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAESOAEP       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 7}
	oidRSAPSS          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidSHA1WithRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidECPublicKey     = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSAWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
)

// contentInfo is CMS ContentInfo. Content is the [0] EXPLICIT wrapper; its
// Bytes are the encoding of the content.
type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"optional,tag:0"`
}

// signedDataASN is CMS SignedData with the parts we interpret ourselves
// kept raw.
type signedDataASN struct {
	Version          int
	DigestAlgorithms asn1.RawValue // SET OF AlgorithmIdentifier; unused
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue   `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue   `asn1:"optional,tag:1"`
	SignerInfos      []asn1.RawValue `asn1:"set"`
}

// encapContentInfo is EncapsulatedContentInfo. EContent is the [0] EXPLICIT
// wrapper; its Bytes are the encoding of the OCTET STRING.
type encapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"optional,tag:0"`
}

// signerInfoASN is CMS SignerInfo. SID is a CHOICE of IssuerAndSerialNumber
// (a SEQUENCE, version 1) and [0] SubjectKeyIdentifier (version 3).
type signerInfoASN struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type attributeASN struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

// signerInfo is a parsed SignerInfo.
type signerInfo struct {
	issuer    *issuerAndSerial // set for version 1 signers
	ski       []byte           // set for version 3 signers
	digest    pkix.AlgorithmIdentifier
	sigAlg    pkix.AlgorithmIdentifier
	signature []byte
	// signedAttrs is the DER encoding of the signed attributes as a SET OF,
	// the bytes that the signature covers; nil if there are none.
	signedAttrs []byte
	attrs       []attributeASN
	cert        *x509.Certificate // the matching embedded certificate, or nil
}

// Signed describes a CMS SignedData as found by Parse. Nothing in it has
// been verified.
type Signed struct {
	// Content is the embedded content (the profile plist), exactly as signed.
	// It is nil for a detached signature.
	Content []byte
	// Certificates are all certificates embedded in the SignedData, in the
	// order they appear.
	Certificates []*x509.Certificate
	// Signer is the embedded certificate named by the first SignerInfo, or
	// nil if that certificate is not embedded.
	Signer *x509.Certificate
	// DigestAlgorithm names the first signer's digest, such as "SHA-256".
	DigestAlgorithm string
	// SignatureAlgorithm names the first signer's signature algorithm, such as
	// "SHA256-RSA" or "ECDSA-SHA256".
	SignatureAlgorithm string
	// SigningTime is the first signer's signingTime attribute, if present.
	SigningTime *time.Time
	// Version is the SignedData version: 1 when signers are named by issuer
	// and serial number, 3 when they are named by subject key identifier.
	Version int

	detached     bool
	eContentType asn1.ObjectIdentifier
	signers      []*signerInfo
}

// IsCMS reports whether data looks like a DER or BER CMS ContentInfo
// holding SignedData or EnvelopedData, as opposed to a plist. It only looks
// at the first bytes; use Parse to check the whole structure.
func IsCMS(data []byte) bool {
	h, err := readBERHeader(data)
	if err != nil || len(h.tag) != 1 || h.tag[0] != 0x30 {
		return false
	}
	body := data[h.size:]
	oh, err := readBERHeader(body)
	if err != nil || len(oh.tag) != 1 || oh.tag[0] != 0x06 || oh.indefinite {
		return false
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(body[:oh.size+oh.length], &oid); err != nil {
		return false
	}
	return oid.Equal(oidSignedData) || oid.Equal(oidEnvelopedData)
}

// parseContentInfo converts BER to DER and returns the ContentInfo.
func parseContentInfo(data []byte) (*contentInfo, error) {
	if len(data) == 0 {
		return nil, errors.New("the data is empty")
	}
	if trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff"); bytes.HasPrefix(trimmed, []byte("<")) || bytes.HasPrefix(data, []byte("bplist")) {
		return nil, errors.New("the data is a plist, not CMS (it is neither signed nor encrypted)")
	}
	der, err := berToDER(data)
	if err != nil {
		return nil, fmt.Errorf("not a valid CMS structure: %v", err)
	}
	var ci contentInfo
	rest, err := asn1.Unmarshal(der, &ci)
	if err != nil {
		return nil, fmt.Errorf("not a valid CMS structure: %v", err)
	}
	if len(rest) != 0 {
		return nil, errTrailingData
	}
	return &ci, nil
}

// Parse parses a CMS SignedData in DER or BER (including indefinite-length
// encodings from streaming signers) and returns its embedded content and
// metadata. It does not verify anything; use Verify for that.
func Parse(data []byte) (*Signed, error) {
	ci, err := parseContentInfo(data)
	if err != nil {
		return nil, err
	}
	switch {
	case ci.ContentType.Equal(oidSignedData):
	case ci.ContentType.Equal(oidEnvelopedData):
		return nil, errors.New("the data is CMS EnvelopedData (encrypted), not SignedData: decrypt it first")
	default:
		return nil, fmt.Errorf("the data is CMS content of type %s, not SignedData", ci.ContentType)
	}
	var sd signedDataASN
	rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd)
	if err != nil {
		return nil, fmt.Errorf("malformed CMS SignedData: %v", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("malformed CMS SignedData: unexpected data after it")
	}

	s := &Signed{Version: sd.Version, eContentType: sd.EncapContentInfo.EContentType}
	if wrapper := sd.EncapContentInfo.EContent; len(wrapper.FullBytes) == 0 {
		s.detached = true
	} else {
		var ec asn1.RawValue
		if rest, err := asn1.Unmarshal(wrapper.Bytes, &ec); err != nil || len(rest) != 0 {
			return nil, errors.New("malformed CMS SignedData: the embedded content is not a single ASN.1 value")
		}
		// The content is an OCTET STRING; old PKCS#7 allowed other types, and
		// the signature then covers the encoding without tag and length.
		s.Content = ec.Bytes
		if s.Content == nil {
			s.Content = []byte{}
		}
	}

	if s.Certificates, err = parseCertificateSet(sd.Certificates.Bytes); err != nil {
		return nil, err
	}
	for i, raw := range sd.SignerInfos {
		si, err := parseSignerInfo(raw.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("malformed CMS SignerInfo %d: %v", i+1, err)
		}
		si.cert = findSignerCert(s.Certificates, si)
		s.signers = append(s.signers, si)
	}
	if len(s.signers) > 0 {
		first := s.signers[0]
		s.Signer = first.cert
		s.DigestAlgorithm = digestName(first.digest.Algorithm)
		if alg, err := signatureAlgorithm(first); err == nil {
			s.SignatureAlgorithm = alg.String()
		} else {
			s.SignatureAlgorithm = first.sigAlg.Algorithm.String()
		}
		var t time.Time
		if v := first.attr(oidAttrSigningTime); v != nil {
			if _, err := asn1.Unmarshal(v.FullBytes, &t); err == nil {
				s.SigningTime = &t
			}
		}
	}
	return s, nil
}

// Unsign returns the content embedded in a CMS SignedData, byte for byte as
// it was signed, without verifying the signature.
func Unsign(data []byte) ([]byte, error) {
	s, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if s.detached {
		return nil, errors.New("the signature is detached: the signed content is not embedded")
	}
	return s.Content, nil
}

// parseCertificateSet parses the contents of a CertificateSet. Choices other
// than plain X.509 certificates (attribute and other certificates) are
// skipped.
func parseCertificateSet(b []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for n := 1; len(b) > 0; n++ {
		var raw asn1.RawValue
		var err error
		if b, err = asn1.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("malformed embedded certificate %d: %v", n, err)
		}
		if raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagSequence {
			continue
		}
		c, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("embedded certificate %d cannot be parsed: %v", n, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

func parseSignerInfo(der []byte) (*signerInfo, error) {
	var a signerInfoASN
	rest, err := asn1.Unmarshal(der, &a)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errors.New("unexpected data after it")
	}
	si := &signerInfo{digest: a.DigestAlgorithm, sigAlg: a.SignatureAlgorithm, signature: a.Signature}
	switch sid := a.SID; {
	case sid.Class == asn1.ClassUniversal && sid.Tag == asn1.TagSequence:
		var ias issuerAndSerial
		if _, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil {
			return nil, fmt.Errorf("malformed issuerAndSerialNumber: %v", err)
		}
		si.issuer = &ias
	case sid.Class == asn1.ClassContextSpecific && sid.Tag == 0 && !sid.IsCompound:
		si.ski = sid.Bytes
	default:
		return nil, errors.New("unknown signer identifier")
	}
	if len(a.SignedAttrs.FullBytes) > 0 {
		// The signature covers the DER encoding with the EXPLICIT SET OF tag
		// in place of the IMPLICIT [0] (RFC 5652, section 5.4).
		si.signedAttrs = append([]byte{0x31}, a.SignedAttrs.FullBytes[1:]...)
		if _, err := asn1.UnmarshalWithParams(si.signedAttrs, &si.attrs, "set"); err != nil {
			return nil, fmt.Errorf("malformed signed attributes: %v", err)
		}
	}
	return si, nil
}

// attr returns the single value of the signed attribute typ, or nil.
func (si *signerInfo) attr(typ asn1.ObjectIdentifier) *asn1.RawValue {
	for i := range si.attrs {
		if si.attrs[i].Type.Equal(typ) && len(si.attrs[i].Values) == 1 {
			return &si.attrs[i].Values[0]
		}
	}
	return nil
}

// describe names the signer the way the SignerInfo does, for messages.
func (si *signerInfo) describe() string {
	if si.issuer != nil {
		var name pkix.RDNSequence
		issuer := "an unreadable issuer"
		if _, err := asn1.Unmarshal(si.issuer.Issuer.FullBytes, &name); err == nil {
			issuer = fmt.Sprintf("%q", name.String())
		}
		return fmt.Sprintf("the certificate with serial number %x issued by %s", si.issuer.Serial, issuer)
	}
	return fmt.Sprintf("the certificate with subject key identifier %X", si.ski)
}

// findSignerCert returns the embedded certificate that si names.
func findSignerCert(certs []*x509.Certificate, si *signerInfo) *x509.Certificate {
	for _, c := range certs {
		if si.issuer != nil {
			if c.SerialNumber.Cmp(si.issuer.Serial) != 0 {
				continue
			}
			if bytes.Equal(c.RawIssuer, si.issuer.Issuer.FullBytes) {
				return c
			}
			// Some encoders re-encode the issuer name; compare it parsed.
			var name pkix.RDNSequence
			if _, err := asn1.Unmarshal(si.issuer.Issuer.FullBytes, &name); err == nil &&
				name.String() == c.Issuer.ToRDNSequence().String() {
				return c
			}
			continue
		}
		if len(si.ski) > 0 && (bytes.Equal(c.SubjectKeyId, si.ski) || bytes.Equal(computedSKI(c), si.ski)) {
			return c
		}
	}
	return nil
}

// computedSKI is the RFC 5280 method-1 key identifier (SHA-1 of the
// subjectPublicKey bits), for certificates without the extension.
func computedSKI(c *x509.Certificate) []byte {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil
	}
	sum := sha1.Sum(spki.PublicKey.Bytes)
	return sum[:]
}

// digestHash maps a digest algorithm OID to its hash function.
func digestHash(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(oidSHA1):
		return crypto.SHA1, true
	case oid.Equal(oidSHA224):
		return crypto.SHA224, true
	case oid.Equal(oidSHA256):
		return crypto.SHA256, true
	case oid.Equal(oidSHA384):
		return crypto.SHA384, true
	case oid.Equal(oidSHA512):
		return crypto.SHA512, true
	}
	return 0, false
}

// digestName names a digest algorithm OID ("SHA-256"), or returns the OID.
func digestName(oid asn1.ObjectIdentifier) string {
	if h, ok := digestHash(oid); ok {
		return h.String()
	}
	return oid.String()
}

// signatureAlgorithm works out the x509 signature algorithm from a
// SignerInfo's signature and digest algorithms. CMS signers write either a
// combined OID (sha256WithRSAEncryption, ecdsa-with-SHA256) or only the key
// type (rsaEncryption, id-ecPublicKey) next to the digest algorithm.
func signatureAlgorithm(si *signerInfo) (x509.SignatureAlgorithm, error) {
	h, _ := digestHash(si.digest.Algorithm)
	sig := si.sigAlg.Algorithm
	pick := func(m map[crypto.Hash]x509.SignatureAlgorithm) (x509.SignatureAlgorithm, error) {
		if alg, ok := m[h]; ok {
			return alg, nil
		}
		return x509.UnknownSignatureAlgorithm, fmt.Errorf("unsupported digest algorithm %s for signature algorithm %s", digestName(si.digest.Algorithm), sig)
	}
	switch {
	case sig.Equal(oidRSAEncryption):
		return pick(map[crypto.Hash]x509.SignatureAlgorithm{crypto.SHA1: x509.SHA1WithRSA, crypto.SHA256: x509.SHA256WithRSA, crypto.SHA384: x509.SHA384WithRSA, crypto.SHA512: x509.SHA512WithRSA})
	case sig.Equal(oidECPublicKey):
		return pick(map[crypto.Hash]x509.SignatureAlgorithm{crypto.SHA1: x509.ECDSAWithSHA1, crypto.SHA256: x509.ECDSAWithSHA256, crypto.SHA384: x509.ECDSAWithSHA384, crypto.SHA512: x509.ECDSAWithSHA512})
	case sig.Equal(oidSHA1WithRSA):
		return x509.SHA1WithRSA, nil
	case sig.Equal(oidSHA256WithRSA):
		return x509.SHA256WithRSA, nil
	case sig.Equal(oidSHA384WithRSA):
		return x509.SHA384WithRSA, nil
	case sig.Equal(oidSHA512WithRSA):
		return x509.SHA512WithRSA, nil
	case sig.Equal(oidECDSAWithSHA1):
		return x509.ECDSAWithSHA1, nil
	case sig.Equal(oidECDSAWithSHA256):
		return x509.ECDSAWithSHA256, nil
	case sig.Equal(oidECDSAWithSHA384):
		return x509.ECDSAWithSHA384, nil
	case sig.Equal(oidECDSAWithSHA512):
		return x509.ECDSAWithSHA512, nil
	case sig.Equal(oidRSAPSS):
		return x509.UnknownSignatureAlgorithm, errors.New("RSASSA-PSS signatures are not supported")
	}
	return x509.UnknownSignatureAlgorithm, fmt.Errorf("unsupported signature algorithm %s", sig)
}
