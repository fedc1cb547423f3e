// Package sceptest runs a real SCEP server in-process for tests — the
// server, depot/file and client packages of github.com/micromdm/scep/v2, an
// implementation this project did not write — and enrolls against it the
// way an iPhone does with a com.apple.security.scep payload: a key of the
// payload's size, a CSR with its subject, subject alternative names, key
// usage and challenge password, wrapped in a SCEP PKI message
// (github.com/smallstep/scep) and sent with micromdm's client.
//
// The result of an enrollment is the device's identity (key, certificate)
// and the CA it chains to, ready to hand to another test: WritePEM writes
// them as the PEM files strongSwan loads, so a VPN test can authenticate
// with the very certificate a compiled profile would enroll.
package sceptest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	kitlog "github.com/go-kit/kit/log"
	scepclient "github.com/micromdm/scep/v2/client"
	"github.com/micromdm/scep/v2/cryptoutil/x509util"
	"github.com/micromdm/scep/v2/depot"
	filedepot "github.com/micromdm/scep/v2/depot/file"
	scepserver "github.com/micromdm/scep/v2/server"
	"github.com/smallstep/scep"
)

// Server is a SCEP server running in-process.
type Server struct {
	// URL is the SCEP endpoint to put in a payload's URL.
	URL string
	// CA is the RSA CA that issues the certificates; a VPN server that is
	// to accept them trusts it.
	CA *x509.Certificate
	// Depot is the folder of micromdm's file depot: ca.pem, ca.key and
	// every certificate issued.
	Depot string

	mu     sync.Mutex
	issued []*x509.Certificate
}

// Issued returns the certificates the server has issued so far.
func (s *Server) Issued() []*x509.Certificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.issued)
}

// Start starts a SCEP server whose RSA CA is new (see StartWithCA), and which issues a
// certificate to any request carrying challenge (micromdm's
// StaticChallengeMiddleware). Unlike micromdm's default signer, which sets
// a key usage of its own, the server's signer copies the key usage and the
// subject alternative names the CSR asks for into the certificate, so a
// test can check what the device requested end to end. The server stops
// when the test ends.
func Start(t testing.TB, challenge string) *Server {
	t.Helper()
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "graph2mobileconfig test SCEP CA", Organization: []string{"graph2mobileconfig tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return StartWithCA(t, challenge, ca, caKey)
}

// StartWithCA is Start with a given RSA CA: the root of a Graph export's
// trusted certificate profile, say, so that the certificate a compiled
// profile enrolls chains to the root the same profile installs. The CA
// certificate signs the SCEP messages too (micromdm's server is its own RA).
func StartWithCA(t testing.TB, challenge string, ca *x509.Certificate, caKey *rsa.PrivateKey) *Server {
	t.Helper()
	dir := t.TempDir()
	der := ca.Raw
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ca.pem", "CERTIFICATE", der)
	write("ca.key", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(caKey))

	d, err := filedepot.NewFileDepot(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The server reads its CA from the depot, as micromdm's scepserver does.
	certs, key, err := d.CA(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{CA: certs[0], Depot: dir}
	signer := scepserver.StaticChallengeMiddleware(challenge, copyingSigner(d, s))
	svc, err := scepserver.NewService(certs[0], key, signer)
	if err != nil {
		t.Fatal(err)
	}
	endpoints := scepserver.MakeServerEndpoints(svc)
	srv := httptest.NewServer(scepserver.MakeHTTPHandler(endpoints, svc, kitlog.NewNopLogger()))
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/scep"
	return s
}

var (
	oidKeyUsage       = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidUPN            = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}
)

// copyingSigner issues a certificate with the CSR's subject, and its
// requested key usage and subject alternative names copied verbatim,
// signed by the depot's CA and stored in the depot.
func copyingSigner(d depot.Depot, s *Server) scepserver.CSRSignerContextFunc {
	return func(_ context.Context, m *scep.CSRReqMessage) (*x509.Certificate, error) {
		csr := m.CSR
		serial, err := d.Serial()
		if err != nil {
			return nil, err
		}
		caCerts, caKey, err := d.CA(nil)
		if err != nil {
			return nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber:          serial,
			RawSubject:            csr.RawSubject,
			NotBefore:             time.Now().Add(-10 * time.Minute),
			NotAfter:              time.Now().Add(24 * time.Hour),
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			BasicConstraintsValid: true,
		}
		for _, ext := range csr.Extensions {
			if ext.Id.Equal(oidKeyUsage) || ext.Id.Equal(oidSubjectAltName) {
				tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, ext)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCerts[0], csr.PublicKey, caKey)
		if err != nil {
			return nil, err
		}
		crt, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		name := crt.Subject.CommonName
		if name == "" {
			name = crt.SerialNumber.String()
		}
		if err := d.Put(name, crt); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.issued = append(s.issued, crt)
		s.mu.Unlock()
		return crt, nil
	}
}

// Payload is what a device reads from the PayloadContent of a
// com.apple.security.scep payload.
type Payload struct {
	URL, Name, Challenge string
	// Subject is the X.500 name as Apple's array: RDNs in certificate
	// order, each a list of [OID or short name, value] pairs.
	Subject [][][2]string
	// SubjectAltName maps rfc822Name, dNSName, uniformResourceIdentifier
	// and ntPrincipalName to their values.
	SubjectAltName map[string][]string
	// Keysize is the RSA key size (Apple's default 1024 when absent).
	Keysize int
	// KeyUsage is Apple's bitmask: 1 signing, 4 encryption.
	KeyUsage int
	// Retries and RetryDelay (seconds) govern PENDING answers.
	Retries, RetryDelay int
}

// ParsePayload reads the PayloadContent dictionary of a SCEP payload, as
// decoded from a property list, with Apple's defaults for absent keys.
func ParsePayload(content map[string]any) (*Payload, error) {
	p := &Payload{Keysize: 1024, Retries: 3, RetryDelay: 10, SubjectAltName: map[string][]string{}}
	str := func(k string) (string, error) {
		v, ok := content[k]
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%s is a %T, not a string", k, v)
		}
		return s, nil
	}
	num := func(k string, into *int) error {
		v, ok := content[k]
		if !ok {
			return nil
		}
		switch n := v.(type) {
		case int64:
			*into = int(n)
		case uint64:
			*into = int(n)
		case int:
			*into = n
		default:
			return fmt.Errorf("%s is a %T, not an integer", k, v)
		}
		return nil
	}
	var err error
	if p.URL, err = str("URL"); err != nil {
		return nil, err
	}
	if p.URL == "" {
		return nil, errors.New("the payload has no URL")
	}
	if p.Name, err = str("Name"); err != nil {
		return nil, err
	}
	if p.Challenge, err = str("Challenge"); err != nil {
		return nil, err
	}
	if kt, err := str("Key Type"); err != nil || kt != "" && kt != "RSA" {
		return nil, fmt.Errorf("Key Type %q: a device makes RSA keys only", kt)
	}
	for k, into := range map[string]*int{"Keysize": &p.Keysize, "Key Usage": &p.KeyUsage, "Retries": &p.Retries, "RetryDelay": &p.RetryDelay} {
		if err := num(k, into); err != nil {
			return nil, err
		}
	}
	if subj, ok := content["Subject"]; ok {
		rdns, ok := subj.([]any)
		if !ok {
			return nil, fmt.Errorf("Subject is a %T, not an array", subj)
		}
		for _, r := range rdns {
			pairs, ok := r.([]any)
			if !ok {
				return nil, fmt.Errorf("a Subject RDN is a %T, not an array", r)
			}
			var rdn [][2]string
			for _, pr := range pairs {
				items, ok := pr.([]any)
				if !ok || len(items) != 2 {
					return nil, fmt.Errorf("a Subject attribute is not a pair: %v", pr)
				}
				oid, ok1 := items[0].(string)
				val, ok2 := items[1].(string)
				if !ok1 || !ok2 {
					return nil, fmt.Errorf("a Subject attribute is not a pair of strings: %v", pr)
				}
				rdn = append(rdn, [2]string{oid, val})
			}
			p.Subject = append(p.Subject, rdn)
		}
	}
	if san, ok := content["SubjectAltName"]; ok {
		m, ok := san.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("SubjectAltName is a %T, not a dictionary", san)
		}
		for k, v := range m {
			switch x := v.(type) {
			case string:
				p.SubjectAltName[k] = []string{x}
			case []any:
				for _, el := range x {
					s, ok := el.(string)
					if !ok {
						return nil, fmt.Errorf("SubjectAltName.%s holds a %T", k, el)
					}
					p.SubjectAltName[k] = append(p.SubjectAltName[k], s)
				}
			default:
				return nil, fmt.Errorf("SubjectAltName.%s is a %T", k, v)
			}
		}
	}
	return p, nil
}

// Enrollment is what a device keeps from an enrollment.
type Enrollment struct {
	Key         *rsa.PrivateKey
	CSR         *x509.CertificateRequest
	Certificate *x509.Certificate
	// CACertificates are the certificates the server's GetCACert returned.
	CACertificates []*x509.Certificate
}

// shortNames are Apple's subject short names.
var shortNames = map[string]asn1.ObjectIdentifier{
	"C": {2, 5, 4, 6}, "L": {2, 5, 4, 7}, "ST": {2, 5, 4, 8}, "O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11}, "CN": {2, 5, 4, 3},
}

// emailOID is PKCS #9 emailAddress, an IA5String.
var emailOID = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// Subject encodes the payload's Subject as a certificate's name.
func (p *Payload) subject() ([]byte, error) {
	var seq pkix.RDNSequence
	for _, rdn := range p.Subject {
		var set pkix.RelativeDistinguishedNameSET
		for _, a := range rdn {
			oid, ok := shortNames[a[0]]
			if !ok {
				var err error
				if oid, err = parseOID(a[0]); err != nil {
					return nil, err
				}
			}
			var value any = a[1]
			if oid.Equal(emailOID) {
				value = asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte(a[1])}
			}
			set = append(set, pkix.AttributeTypeAndValue{Type: oid, Value: value})
		}
		seq = append(seq, set)
	}
	return asn1.Marshal(seq)
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	var oid asn1.ObjectIdentifier
	for p := range strings.SplitSeq(s, ".") {
		var n int
		if _, err := fmt.Sscanf(p, "%d", &n); err != nil {
			return nil, fmt.Errorf("subject attribute %q is neither a short name nor a dotted OID", s)
		}
		oid = append(oid, n)
	}
	return oid, nil
}

// extensions encodes the key usage and subject alternative names the
// payload asks for, as the CSR's requested extensions.
func (p *Payload) extensions() ([]pkix.Extension, error) {
	var exts []pkix.Extension
	if p.KeyUsage != 0 {
		var bits []int
		if p.KeyUsage&1 != 0 {
			bits = append(bits, 0) // digitalSignature
		}
		if p.KeyUsage&4 != 0 {
			bits = append(bits, 2) // keyEncipherment
		}
		v, err := asn1.Marshal(bitString(bits))
		if err != nil {
			return nil, err
		}
		exts = append(exts, pkix.Extension{Id: oidKeyUsage, Critical: true, Value: v})
	}
	var names []asn1.RawValue
	tags := []struct {
		key string
		tag int
	}{{"rfc822Name", 1}, {"dNSName", 2}, {"uniformResourceIdentifier", 6}}
	for _, t := range tags {
		for _, v := range p.SubjectAltName[t.key] {
			names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: t.tag, Bytes: []byte(v)})
		}
	}
	for _, upn := range p.SubjectAltName["ntPrincipalName"] {
		value, err := asn1.MarshalWithParams(upn, "utf8,explicit,tag:0")
		if err != nil {
			return nil, err
		}
		other, err := asn1.Marshal(struct {
			ID    asn1.ObjectIdentifier
			Value asn1.RawValue
		}{oidUPN, asn1.RawValue{FullBytes: value}})
		if err != nil {
			return nil, err
		}
		// otherName is [0] IMPLICIT: the SEQUENCE's contents under tag 0.
		var seq asn1.RawValue
		if _, err := asn1.Unmarshal(other, &seq); err != nil {
			return nil, err
		}
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: seq.Bytes})
	}
	for k := range p.SubjectAltName {
		if !slices.Contains([]string{"rfc822Name", "dNSName", "uniformResourceIdentifier", "ntPrincipalName"}, k) {
			return nil, fmt.Errorf("SubjectAltName.%s is not a key Apple defines", k)
		}
	}
	if len(names) > 0 {
		v, err := asn1.Marshal(names)
		if err != nil {
			return nil, err
		}
		exts = append(exts, pkix.Extension{Id: oidSubjectAltName, Value: v})
	}
	return exts, nil
}

func bitString(bits []int) asn1.BitString {
	n := slices.Max(bits) + 1
	b := make([]byte, (n+7)/8)
	for _, i := range bits {
		b[i/8] |= 0x80 >> (i % 8)
	}
	return asn1.BitString{Bytes: b, BitLength: n}
}

// Enroll enrolls as a device given the payload: it makes an RSA key of
// Keysize bits and a CSR carrying the payload's subject, subject
// alternative names, key usage and challenge password, fetches the CA
// with GetCACert (sending Name), and sends a PKCSReq, asking again up to
// Retries times while the server answers PENDING (the first retry at
// once, then every RetryDelay seconds).
func Enroll(ctx context.Context, p *Payload) (*Enrollment, error) {
	if _, err := url.Parse(p.URL); err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, p.Keysize)
	if err != nil {
		return nil, err
	}
	subject, err := p.subject()
	if err != nil {
		return nil, err
	}
	exts, err := p.extensions()
	if err != nil {
		return nil, err
	}
	der, err := x509util.CreateCertificateRequest(rand.Reader, &x509util.CertificateRequest{
		CertificateRequest: x509.CertificateRequest{RawSubject: subject, ExtraExtensions: exts, SignatureAlgorithm: x509.SHA256WithRSA},
		ChallengePassword:  p.Challenge,
	}, key)
	if err != nil {
		return nil, fmt.Errorf("making the CSR: %w", err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, err
	}
	// The device signs its request with a temporary self-signed certificate.
	now := time.Now()
	selfTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), RawSubject: subject, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	selfDER, err := x509.CreateCertificate(rand.Reader, selfTmpl, selfTmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	self, err := x509.ParseCertificate(selfDER)
	if err != nil {
		return nil, err
	}

	client, err := scepclient.New(p.URL, kitlog.NewNopLogger())
	if err != nil {
		return nil, err
	}
	resp, n, err := client.GetCACert(ctx, p.Name)
	if err != nil {
		return nil, fmt.Errorf("GetCACert: %w", err)
	}
	var caCerts []*x509.Certificate
	if n > 1 {
		caCerts, err = scep.CACerts(resp)
	} else {
		caCerts, err = x509.ParseCertificates(resp)
	}
	if err != nil {
		return nil, fmt.Errorf("GetCACert answer: %w", err)
	}
	msg, err := scep.NewCSRRequest(csr, &scep.PKIMessage{
		MessageType:   scep.PKCSReq,
		Recipients:    caCerts,
		SignerKey:     key,
		SignerCert:    self,
		CSRReqMessage: &scep.CSRReqMessage{ChallengePassword: p.Challenge},
	})
	if err != nil {
		return nil, fmt.Errorf("making the PKI message: %w", err)
	}
	for attempt := 0; ; attempt++ {
		raw, err := client.PKIOperation(ctx, msg.Raw)
		if err != nil {
			return nil, fmt.Errorf("PKIOperation: %w", err)
		}
		rep, err := scep.ParsePKIMessage(raw, scep.WithCACerts(caCerts))
		if err != nil {
			return nil, fmt.Errorf("reading the CertRep: %w", err)
		}
		switch rep.PKIStatus {
		case scep.FAILURE:
			return nil, fmt.Errorf("the SCEP server refused the request: %s", rep.FailInfo)
		case scep.PENDING:
			if attempt >= p.Retries {
				return nil, fmt.Errorf("still PENDING after %d retries", p.Retries)
			}
			if attempt > 0 {
				select {
				case <-ctx.Done():
					return nil, ctx.Err()
				case <-time.After(time.Duration(p.RetryDelay) * time.Second):
				}
			}
			continue
		}
		if err := rep.DecryptPKIEnvelope(self, key); err != nil {
			return nil, fmt.Errorf("decrypting the CertRep: %w", err)
		}
		return &Enrollment{Key: key, CSR: csr, Certificate: rep.CertRepMessage.Certificate, CACertificates: caCerts}, nil
	}
}

// WritePEM writes the enrolled identity and the CA into dir as PEM files,
// the key with mode 0600, and returns their paths: what a strongSwan
// initiator loads (x509/, private/, x509ca/).
func (e *Enrollment) WritePEM(dir string) (certFile, keyFile, caFile string, err error) {
	certFile, keyFile, caFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key"), filepath.Join(dir, "ca.pem")
	var ca []byte
	for _, c := range e.CACertificates {
		ca = append(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{
		{certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.Certificate.Raw}), 0o644},
		{keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(e.Key)}), 0o600},
		{caFile, ca, 0o644},
	} {
		if err = os.WriteFile(f.path, f.data, f.mode); err != nil {
			return "", "", "", err
		}
	}
	return certFile, keyFile, caFile, nil
}
