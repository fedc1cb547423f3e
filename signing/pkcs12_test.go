package signing

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

// p12Fixture is a signer under an intermediate, with its files written to
// a temporary directory for openssl.
type p12Fixture struct {
	root, inter *testpki.CA
	leaf        *testpki.Leaf
	dir         string
}

func newP12Fixture(t *testing.T, kt testpki.KeyType) *p12Fixture {
	t.Helper()
	f := &p12Fixture{dir: t.TempDir()}
	f.root = testpki.NewRoot(t, testpki.Options{KeyType: testpki.ECDSAP256})
	f.inter = f.root.NewIntermediate(t, testpki.Options{KeyType: testpki.ECDSAP256})
	f.leaf = f.inter.NewLeaf(t, testpki.Options{KeyType: kt, CommonName: "Signer " + kt.String()})
	testpki.WritePEMCert(t, filepath.Join(f.dir, "leaf.pem"), f.leaf.Cert)
	testpki.WritePEMKey(t, filepath.Join(f.dir, "leaf.key"), f.leaf.Key, testpki.PKCS8, nil)
	testpki.WritePEMCert(t, filepath.Join(f.dir, "chain.pem"), f.root.Cert, f.inter.Cert)
	writeFile(t, f.dir, "pw", []byte(testPassword+"\n"))
	return f
}

// opensslP12 exports the fixture with "openssl pkcs12 -export" and extra
// options.
func (f *p12Fixture) opensslP12(t *testing.T, extra ...string) []byte {
	t.Helper()
	args := append([]string{"pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-certfile", "chain.pem", "-passout", "file:pw", "-out", "out.p12"}, extra...)
	mustOpenSSL(t, f.dir, args...)
	return readFile(t, filepath.Join(f.dir, "out.p12"))
}

func TestLoadPKCS12Identity(t *testing.T) {
	type source struct {
		name     string
		openssl  bool
		make     func(t *testing.T, f *p12Fixture) []byte
		wantMore int // chain certificates beyond the intermediate
	}
	sources := []source{
		{"sslmate legacy", false, func(t *testing.T, f *p12Fixture) []byte {
			return testpki.PKCS12(t, f.leaf, testpki.P12Legacy, testPassword)
		}, 0},
		{"sslmate modern", false, func(t *testing.T, f *p12Fixture) []byte {
			return testpki.PKCS12(t, f.leaf, testpki.P12Modern, testPassword)
		}, 0},
		{"openssl default (modern)", true, func(t *testing.T, f *p12Fixture) []byte { return f.opensslP12(t) }, 1},
		{"openssl -legacy", true, func(t *testing.T, f *p12Fixture) []byte { return f.opensslP12(t, "-legacy") }, 1},
	}
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256} {
		for _, src := range sources {
			t.Run(kt.String()+"/"+src.name, func(t *testing.T) {
				if src.openssl {
					requireOpenSSL(t)
				}
				f := newP12Fixture(t, kt)
				data := src.make(t, f)

				id, err := LoadPKCS12Identity(data, testPassword)
				if err != nil {
					t.Fatalf("LoadPKCS12Identity: %v", err)
				}
				if !id.Certificate.Equal(f.leaf.Cert) || !publicKeysEqual(id.PrivateKey.Public(), f.leaf.Key.Public()) {
					t.Errorf("got identity %q", id.Certificate.Subject)
				}
				if len(id.Chain) != 1+src.wantMore || !id.Chain[0].Equal(f.inter.Cert) {
					t.Errorf("chain has %d certificates, want the intermediate first and %d in all", len(id.Chain), 1+src.wantMore)
				}
				if _, err := CheckIdentity(id, time.Now()); err != nil {
					t.Errorf("CheckIdentity: %v", err)
				}

				_, err = LoadPKCS12Identity(data, "wrong")
				checkErr(t, err, ErrIncorrectPassword, "reading PKCS#12: the password is incorrect")
				_, err = LoadPKCS12Identity(data, "")
				checkErr(t, err, ErrPasswordRequired, "reading PKCS#12: it is encrypted and no password was given")
			})
		}
	}
}

func TestLoadPKCS12Garbage(t *testing.T) {
	_, err := LoadPKCS12Identity([]byte("not a p12"), testPassword)
	checkErr(t, err, nil, "reading PKCS#12:")
}

func TestReencodePKCS12ForDevice(t *testing.T) {
	requireOpenSSL(t)
	f := newP12Fixture(t, testpki.RSA2048)
	modern := f.opensslP12(t)

	out, leaf, err := ReencodePKCS12ForDevice(modern, testPassword)
	if err != nil {
		t.Fatalf("ReencodePKCS12ForDevice: %v", err)
	}
	if !leaf.Equal(f.leaf.Cert) || leaf.Subject.CommonName != "Signer RSA-2048" {
		t.Errorf("leaf = %q", leaf.Subject)
	}
	id, err := LoadPKCS12Identity(out, testPassword)
	if err != nil || !id.Certificate.Equal(f.leaf.Cert) || len(id.Chain) != 2 {
		t.Fatalf("re-encoded file: %v", err)
	}

	writeFile(t, f.dir, "device.p12", out)
	_, info, err := openssl(t, f.dir, "pkcs12", "-info", "-noout", "-legacy", "-in", "device.p12", "-passin", "file:pw")
	if err != nil {
		t.Fatalf("openssl pkcs12 -info: %v\n%s", err, info)
	}
	var macs, des3, other []string
	for _, line := range strings.Split(string(info), "\n") {
		switch {
		case strings.HasPrefix(line, "MAC:"):
			macs = append(macs, line)
		case strings.Contains(line, "pbeWithSHA1And3-KeyTripleDES-CBC"):
			des3 = append(des3, line)
		case strings.Contains(line, "PBES2") || strings.Contains(line, "RC2"):
			other = append(other, line)
		}
	}
	if len(macs) != 1 || !strings.HasPrefix(macs[0], "MAC: sha1") {
		t.Errorf("MAC lines %q, want one SHA-1 MAC", macs)
	}
	// One line for the encrypted certificates, one for the shrouded key bag.
	if len(des3) != 2 || len(other) != 0 {
		t.Errorf("3DES lines %q, other encryption %q; want 3DES for certificates and key only\n%s", des3, other, info)
	}

	_, _, err = ReencodePKCS12ForDevice(modern, "wrong")
	checkErr(t, err, ErrIncorrectPassword)
}
