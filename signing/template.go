package signing

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"time"
)

// A signTemplate holds every part of a signed profile that depends only on
// the signer: the embedded certificates, the SignerInfo's issuer and serial
// number and algorithm identifiers. Built once per Identity, it leaves two
// SHA-256 hashes, one signature and one assembly into an exactly sized
// buffer for each profile. Its output is byte for byte what
// github.com/smallstep/pkcs7 (NewSignedData, SHA-256, AddSignerChain,
// Finish), which this package used before, writes for the same signing
// time; the tests compare the two.
type signTemplate struct {
	// What the template was built from, to notice a changed Identity.
	cert  *x509.Certificate
	key   crypto.Signer
	chain []*x509.Certificate

	// certificates is the SignedData's [0] IMPLICIT CertificateSet: the
	// signer, then the chain in its order.
	certificates []byte
	// signerPrefix is the start of the SignerInfo: version 1, the
	// issuerAndSerialNumber and the digest algorithm (SHA-256).
	signerPrefix []byte
	// signatureAlgorithm is the SignerInfo's signatureAlgorithm.
	signatureAlgorithm []byte
}

// The parts of every signed profile that depend on nothing at all.
var (
	derVersion1 = []byte{0x02, 0x01, 0x01}
	// derOIDData and derOIDSignedData are the OBJECT IDENTIFIER elements.
	derOIDData       = mustMarshal(oidData)
	derOIDSignedData = mustMarshal(oidSignedData)
	// derSHA256 is the SHA-256 AlgorithmIdentifier, without parameters.
	derSHA256 = mustMarshal(pkix.AlgorithmIdentifier{Algorithm: oidSHA256})
	// derDigestAlgorithms is SignedData's digestAlgorithms: a SET of one.
	derDigestAlgorithms = derTLV(0x31, derSHA256)
	// derAttrContentType is the whole contentType attribute (id-data).
	derAttrContentType = derTLV(0x30, mustMarshal(oidAttrContentType), derTLV(0x31, derOIDData))
	// derAttrMessageDigestPrefix is the messageDigest attribute up to the
	// 32 bytes of the digest.
	derAttrMessageDigestPrefix = messageDigestPrefix()
	derOIDSigningTime          = mustMarshal(oidAttrSigningTime)
)

// messageDigestPrefix encodes the messageDigest attribute of a SHA-256
// digest up to the digest itself.
func messageDigestPrefix() []byte {
	oid := mustMarshal(oidAttrMessageDigest)
	b := appendHeader(nil, 0x30, len(oid)+tlvSize(tlvSize(sha256.Size)))
	b = append(b, oid...)
	b = appendHeader(b, 0x31, tlvSize(sha256.Size))
	return appendHeader(b, 0x04, sha256.Size)
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err) // only called on constants
	}
	return b
}

// derTLV encodes one DER element with a one-byte tag.
func derTLV(tag byte, contents ...[]byte) []byte {
	n := 0
	for _, c := range contents {
		n += len(c)
	}
	b := appendHeader(make([]byte, 0, tlvSize(n)), tag, n)
	for _, c := range contents {
		b = append(b, c...)
	}
	return b
}

// tlvSize is the size of a DER element with a one-byte tag and n bytes of
// contents.
func tlvSize(n int) int {
	return 1 + lengthSize(n) + n
}

func lengthSize(n int) int {
	if n < 0x80 {
		return 1
	}
	size := 1
	for ; n > 0; n >>= 8 {
		size++
	}
	return size
}

// appendHeader appends a tag and a DER (shortest) length.
func appendHeader(b []byte, tag byte, n int) []byte {
	b = append(b, tag)
	if n < 0x80 {
		return append(b, byte(n))
	}
	k := lengthSize(n) - 1
	b = append(b, 0x80|byte(k))
	for i := k - 1; i >= 0; i-- {
		b = append(b, byte(n>>(8*i)))
	}
	return b
}

// newSignTemplate checks id and prepares its template: the key must match
// the certificate, be RSA or ECDSA, and each certificate of the chain must
// have issued the one before it (checked here, once, rather than for every
// profile).
func newSignTemplate(id *Identity) (*signTemplate, error) {
	if id == nil || id.Certificate == nil || id.PrivateKey == nil {
		return nil, errors.New("signing: no signer certificate or private key")
	}
	leaf := id.Certificate
	if !publicKeysEqual(id.PrivateKey.Public(), leaf.PublicKey) {
		return nil, fmt.Errorf("signing: the private key does not match the signer certificate %q", leaf.Subject.String())
	}
	var sigOID asn1.ObjectIdentifier
	switch id.PrivateKey.Public().(type) {
	case *rsa.PublicKey:
		sigOID = oidSHA256WithRSA
	case *ecdsa.PublicKey:
		sigOID = oidECDSAWithSHA256
	default:
		return nil, fmt.Errorf("signing: a %T key cannot sign profiles; use RSA or ECDSA", id.PrivateKey.Public())
	}
	// The SignerInfo names the signer by its issuer and serial number. With
	// a chain, the issuer's name is taken from the issuing certificate, as
	// the library used before did.
	issuer := leaf.RawIssuer
	prev := leaf
	for _, c := range id.Chain {
		if err := prev.CheckSignatureFrom(c); err != nil {
			return nil, fmt.Errorf("signing: the certificate chain is broken: %q is not issued by %q, the next certificate in the chain (%v)", prev.Subject.String(), c.Subject.String(), err)
		}
		prev = c
	}
	if len(id.Chain) > 0 {
		issuer = id.Chain[0].RawSubject
	}
	ias, err := asn1.Marshal(struct {
		Issuer asn1.RawValue
		Serial *big.Int
	}{asn1.RawValue{FullBytes: issuer}, leaf.SerialNumber})
	if err != nil {
		return nil, fmt.Errorf("signing: the signer certificate's issuer and serial number cannot be encoded: %v", err)
	}
	raws := [][]byte{leaf.Raw}
	for _, c := range id.Chain {
		raws = append(raws, c.Raw)
	}
	return &signTemplate{
		cert:               leaf,
		key:                id.PrivateKey,
		chain:              append([]*x509.Certificate(nil), id.Chain...),
		certificates:       derTLV(0xa0, raws...),
		signerPrefix:       bytes.Join([][]byte{derVersion1, ias, derSHA256}, nil),
		signatureAlgorithm: mustMarshal(pkix.AlgorithmIdentifier{Algorithm: sigOID}),
	}, nil
}

// builtFrom reports whether t was built from id's current certificate, key
// and chain.
func (t *signTemplate) builtFrom(id *Identity) bool {
	if t.cert != id.Certificate || !sameSigner(t.key, id.PrivateKey) || len(t.chain) != len(id.Chain) {
		return false
	}
	for i, c := range id.Chain {
		if t.chain[i] != c {
			return false
		}
	}
	return true
}

// sameSigner reports whether a and b are the same key object. Keys held
// by value rather than by pointer are never taken for the same: comparing
// them could panic, and the template is then simply built again.
func sameSigner(a, b crypto.Signer) bool {
	ta := reflect.TypeOf(a)
	return ta != nil && ta == reflect.TypeOf(b) && ta.Kind() == reflect.Pointer && a == b
}

// sign signs content with signingTime now and assembles the DER
// ContentInfo.
func (t *signTemplate) sign(content []byte, now time.Time) ([]byte, error) {
	digest := sha256.Sum256(content)

	// The signed attributes, as the SET OF that the signature covers, in
	// DER order (by their encodings): contentType, signingTime and
	// messageDigest, as it turns out, but sorted to be sure.
	var timeBuf [2 + 15]byte
	signingTime, err := appendASN1Time(timeBuf[:0], now.UTC())
	if err != nil {
		return nil, fmt.Errorf("signing: %v", err)
	}
	var stBuf [64]byte
	attrSigningTime := appendHeader(stBuf[:0], 0x30, len(derOIDSigningTime)+tlvSize(len(signingTime)))
	attrSigningTime = append(attrSigningTime, derOIDSigningTime...)
	attrSigningTime = appendHeader(attrSigningTime, 0x31, len(signingTime))
	attrSigningTime = append(attrSigningTime, signingTime...)
	var mdBuf [64]byte
	attrMessageDigest := append(append(mdBuf[:0], derAttrMessageDigestPrefix...), digest[:]...)
	attrs := [3][]byte{derAttrContentType, attrSigningTime, attrMessageDigest}
	for i := 1; i < len(attrs); i++ {
		for j := i; j > 0 && bytes.Compare(attrs[j], attrs[j-1]) < 0; j-- {
			attrs[j], attrs[j-1] = attrs[j-1], attrs[j]
		}
	}
	attrsLen := len(attrs[0]) + len(attrs[1]) + len(attrs[2])
	var setBuf [192]byte
	set := appendHeader(setBuf[:0], 0x31, attrsLen)
	set = append(append(append(set, attrs[0]...), attrs[1]...), attrs[2]...)
	attrsDigest := sha256.Sum256(set)
	signature, err := t.key.Sign(rand.Reader, attrsDigest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("signing: %v", err)
	}

	// Sizes, inside out.
	signerInfo := len(t.signerPrefix) + tlvSize(attrsLen) + len(t.signatureAlgorithm) + tlvSize(len(signature))
	encapContent := len(derOIDData) + tlvSize(tlvSize(len(content)))
	signedData := len(derVersion1) + len(derDigestAlgorithms) + tlvSize(encapContent) + len(t.certificates) + tlvSize(tlvSize(signerInfo))
	contentInfo := len(derOIDSignedData) + tlvSize(tlvSize(signedData))
	total := tlvSize(contentInfo)

	out := make([]byte, 0, total)
	out = appendHeader(out, 0x30, contentInfo) // ContentInfo
	out = append(out, derOIDSignedData...)
	out = appendHeader(out, 0xa0, tlvSize(signedData)) // [0] EXPLICIT
	out = appendHeader(out, 0x30, signedData)          // SignedData
	out = append(out, derVersion1...)
	out = append(out, derDigestAlgorithms...)
	out = appendHeader(out, 0x30, encapContent) // EncapsulatedContentInfo
	out = append(out, derOIDData...)
	out = appendHeader(out, 0xa0, tlvSize(len(content))) // [0] EXPLICIT
	out = appendHeader(out, 0x04, len(content))          // OCTET STRING
	out = append(out, content...)
	out = append(out, t.certificates...)
	out = appendHeader(out, 0x31, tlvSize(signerInfo)) // SignerInfos
	out = appendHeader(out, 0x30, signerInfo)          // SignerInfo
	out = append(out, t.signerPrefix...)
	out = appendHeader(out, 0xa0, attrsLen) // [0] IMPLICIT signedAttrs
	out = append(append(append(out, attrs[0]...), attrs[1]...), attrs[2]...)
	out = append(out, t.signatureAlgorithm...)
	out = appendHeader(out, 0x04, len(signature))
	out = append(out, signature...)
	if len(out) != total {
		return nil, fmt.Errorf("signing: internal error: assembled %d bytes, expected %d", len(out), total)
	}
	return out, nil
}

// appendASN1Time appends t (in UTC) as encoding/asn1 marshals a time.Time:
// UTCTime (YYMMDDhhmmssZ) for the years 1950 to 2049, GeneralizedTime
// (YYYYMMDDhhmmssZ) otherwise; fractions of a second are dropped.
func appendASN1Time(b []byte, t time.Time) ([]byte, error) {
	year := t.Year()
	if year < 0 || year > 9999 {
		return nil, fmt.Errorf("the signing time %v cannot be encoded", t)
	}
	two := func(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	if year >= 1950 && year < 2050 {
		b = append(b, asn1.TagUTCTime, 13)
		b = two(b, year%100)
	} else {
		b = append(b, asn1.TagGeneralizedTime, 15)
		b = two(two(b, year/100), year%100)
	}
	b = two(b, int(t.Month()))
	b = two(b, t.Day())
	b = two(b, t.Hour())
	b = two(b, t.Minute())
	b = two(b, t.Second())
	return append(b, 'Z'), nil
}
