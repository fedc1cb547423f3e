//go:build unix

package main

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// build compiles the command and the floor program into dir.
func build(dir string) (bin, floor string, err error) {
	bin, floor = filepath.Join(dir, "graph2mobileconfig"), filepath.Join(dir, "floor")
	for pkg, out := range map[string]string{"./cmd/graph2mobileconfig": bin, "./bench/floor": floor} {
		if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	return bin, floor, nil
}

// buildRevision builds the command as it was at a git revision, for A/B
// comparisons in the same run, and this tree's floor program against that
// revision's packages (so that the I/O floor follows its internal/atomicfile);
// floor is empty, with a note printed, when that does not build.
func buildRevision(dir, rev string) (bin, floor string, err error) {
	src := filepath.Join(dir, "src-"+strings.NewReplacer("/", "-", "~", "-", "^", "-").Replace(rev))
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", "", err
	}
	archive := exec.Command("git", "archive", rev)
	untar := exec.Command("tar", "-x", "-C", src)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return "", "", err
	}
	untar.Stdin = pipe
	var errBuf bytes.Buffer
	archive.Stderr, untar.Stderr = &errBuf, &errBuf
	if err := untar.Start(); err != nil {
		return "", "", err
	}
	if err := archive.Run(); err != nil {
		return "", "", fmt.Errorf("git archive %s: %v\n%s", rev, err, errBuf.String())
	}
	if err := untar.Wait(); err != nil {
		return "", "", fmt.Errorf("tar: %v\n%s", err, errBuf.String())
	}
	bin = filepath.Join(dir, "graph2mobileconfig-"+filepath.Base(src))
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/graph2mobileconfig")
	cmd.Dir = src
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("building %s: %v\n%s", rev, err, b)
	}
	floorSrc, err := os.ReadFile(filepath.Join("bench", "floor", "main.go"))
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(filepath.Join(src, "bench", "floor"), 0o755); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(filepath.Join(src, "bench", "floor", "main.go"), floorSrc, 0o644); err != nil {
		return "", "", err
	}
	floor = filepath.Join(dir, "floor-"+filepath.Base(src))
	cmd = exec.Command("go", "build", "-o", floor, "./bench/floor")
	cmd.Dir = src
	if b, err := cmd.CombinedOutput(); err != nil {
		fmt.Printf("note: the floor program does not build against %s, so its I/O floor is not measured:\n%s\n", rev, b)
		floor = ""
	}
	return bin, floor, nil
}

// exportBases are the realistic fixtures the generated exports vary.
func exportBases() ([]map[string]any, error) {
	var bases []map[string]any
	for _, name := range []string{"full-featured", "psk-ondemand", "eap-only", "flags-false", "proxy-pac"} {
		data, err := os.ReadFile(filepath.Join("fixtures", name, "input.json"))
		if err != nil {
			return nil, fmt.Errorf("run from the repository root: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		delete(m, "sharedSecret")
		m["authenticationMethod"] = "sharedSecret"
		m["clientAuthenticationType"] = "deviceAuthentication"
		m["sharedSecret"] = "bench-secret"
		// A certificate subject needs a --var the batch run does not give.
		if m["localIdentifier"] == "clientCertificateSubjectName" {
			m["localIdentifier"] = "empty"
		}
		bases = append(bases, m)
	}
	return bases, nil
}

// export returns the i-th generated export: ids, names, servers, SA
// proposals and lifetimes differ from one to the next.
func export(bases []map[string]any, i int) ([]byte, error) {
	groups := []int{14, 19, 20, 21}
	ciphers := []string{"aes256Gcm", "aes128Gcm", "aes256", "chaCha20Poly1305"}
	m := bases[i%len(bases)]
	m["id"] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
	m["displayName"] = fmt.Sprintf("Bench VPN %d (%s)", i, []string{"HQ", "Branch", "Lab", "Kiosk"}[i%4])
	m["connectionName"] = fmt.Sprintf("Bench %d", i)
	m["server"] = map[string]any{"address": fmt.Sprintf("vpn%d.bench.example", i%97), "isDefaultServer": true}
	m["remoteIdentifier"] = fmt.Sprintf("vpn%d.bench.example", i%97)
	m["securityAssociationParameters"] = map[string]any{
		"securityEncryptionAlgorithm": ciphers[i%len(ciphers)], "securityIntegrityAlgorithm": "sha2_256",
		"securityDiffieHellmanGroup": groups[i%len(groups)], "lifetimeInMinutes": 60 + i%1380,
	}
	return json.MarshalIndent(m, "", "  ")
}

// generate writes n exports, one file each.
func generate(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	bases, err := exportBases()
	if err != nil {
		return err
	}
	for i := range n {
		data, err := export(bases, i)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("export-%05d.json", i)), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generateMaximal writes one list response ({"value": [...]}) of as many
// exports as fit in limit bytes, the largest single input batch reads by
// default, and returns the number of entities.
func generateMaximal(dir string, limit int) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	bases, err := exportBases()
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	buf.WriteString(`{"@odata.context":"https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations","value":[`)
	n := 0
	for ; ; n++ {
		data, err := export(bases, n)
		if err != nil {
			return 0, err
		}
		if buf.Len()+len(data)+8 > limit {
			break
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.Write(data)
	}
	buf.WriteString("]}\n")
	return n, os.WriteFile(filepath.Join(dir, "tenant-export.json"), buf.Bytes(), 0o644)
}

// generateMaximalEntity writes one entity as large as the caps let a
// single entity be: limit bytes, and as many JSON values as
// graphjson.DefaultLimits allow (1,000,000), in arrays of at most 100,000
// strings each (MaxArrayLen) under members the model does not know, so
// that it still compiles (with a warning for each). Such an entity is read
// whole, as the compiler needs it: it bounds what one input can cost. It
// returns the number of values.
func generateMaximalEntity(dir string, limit int) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	bases, err := exportBases()
	if err != nil {
		return 0, err
	}
	base, err := export(bases, 1)
	if err != nil {
		return 0, err
	}
	const maxValues, maxArrayLen = 1_000_000, 100_000
	head := bytes.TrimSuffix(bytes.TrimSpace(base), []byte("}"))
	values := bytes.Count(head, []byte(":")) + 64 // the entity's own, with room to spare
	perValue := (limit - len(head) - 4096) / (maxValues - values)
	element := `"` + strings.Repeat("x", max(perValue-3, 1)) + `"`
	var buf bytes.Buffer
	buf.Write(head)
	n := values
	for member := 0; n < maxValues-maxArrayLen/10; member++ {
		fmt.Fprintf(&buf, `,"benchPadding%d":[`, member)
		n++
		for i := 0; i < maxArrayLen && n < maxValues-16 && buf.Len()+len(element)+64 < limit; i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(element)
			n++
		}
		buf.WriteByte(']')
		if buf.Len()+len(element)+64 >= limit {
			break
		}
	}
	buf.WriteString("}\n")
	return n, os.WriteFile(filepath.Join(dir, "one-entity.json"), buf.Bytes(), 0o644)
}

// pki is a signer with an intermediate, as real signers have, in PEM files.
type pki struct {
	root, cert, key, chain string // file paths
}

// newPKI makes a root, an intermediate and a signer (RSA-2048 or ECDSA
// P-256; the CAs use the same algorithm).
func newPKI(dir, kind string) (pki, error) {
	newKey := func() (crypto.Signer, error) {
		if kind == "rsa" {
			return rsa.GenerateKey(rand.Reader, 2048)
		}
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	serial := int64(1)
	issue := func(cn string, isCA bool, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, crypto.Signer, error) {
		key, err := newKey()
		if err != nil {
			return nil, nil, err
		}
		serial++
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano() + serial),
			Subject:      pkix.Name{CommonName: cn, Organization: []string{"graph2mobileconfig bench"}},
			NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature,
		}
		if isCA {
			tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
			tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		} else {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
		}
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
		if err != nil {
			return nil, nil, err
		}
		cert, err := x509.ParseCertificate(der)
		return cert, key, err
	}
	rootCert, rootKey, err := issue("bench root ("+kind+")", true, nil, nil)
	if err != nil {
		return pki{}, err
	}
	interCert, interKey, err := issue("bench intermediate ("+kind+")", true, rootCert, rootKey)
	if err != nil {
		return pki{}, err
	}
	leafCert, leafKey, err := issue("bench signer ("+kind+")", false, interCert, interKey)
	if err != nil {
		return pki{}, err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		return pki{}, err
	}
	p := pki{
		root:  filepath.Join(dir, kind+"-root.pem"),
		cert:  filepath.Join(dir, kind+"-signer.pem"),
		key:   filepath.Join(dir, kind+"-signer.key"),
		chain: filepath.Join(dir, kind+"-chain.pem"),
	}
	certPEM := func(c *x509.Certificate) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	for path, data := range map[string][]byte{
		p.root: certPEM(rootCert), p.cert: certPEM(leafCert), p.chain: certPEM(interCert),
		p.key: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}),
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return pki{}, err
		}
	}
	return p, nil
}

// describeFS names the file system of dir from the mount table: type,
// device and options, and for ext4 whether it has a journal.
func describeFS(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return statfsName(dir)
	}
	defer f.Close()
	best, desc := "", ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint options ... - type source superoptions
		left, right, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		l, r := strings.Fields(left), strings.Fields(right)
		if len(l) < 5 || len(r) < 2 {
			continue
		}
		mnt := l[4]
		if (abs == mnt || strings.HasPrefix(abs, strings.TrimSuffix(mnt, "/")+"/")) && len(mnt) >= len(best) {
			best = mnt
			desc = fmt.Sprintf("%s on %s (%s)", r[0], r[1], mnt)
			switch r[0] {
			case "tmpfs":
				desc += ": memory, not disk"
			case "ext4":
				dev := filepath.Base(r[1])
				if b, err := os.ReadFile(filepath.Join("/sys/fs/ext4", dev, "journal_task")); err == nil {
					if strings.TrimSpace(string(b)) == "<none>" {
						desc += ", without a journal"
					} else {
						desc += ", with a journal"
					}
				}
			}
		}
	}
	if desc == "" {
		return statfsName(dir)
	}
	return desc
}

func statfsName(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "unknown file system"
	}
	switch st.Type {
	case 0x01021994:
		return "tmpfs: memory, not disk"
	case 0xEF53:
		return "ext2/3/4 disk"
	case 0x794c7630:
		return "overlayfs"
	case 0x58465342:
		return "xfs disk"
	}
	return fmt.Sprintf("file system type %#x", st.Type)
}

// isTmpfs reports whether dir is on tmpfs.
func isTmpfs(dir string) bool {
	var st syscall.Statfs_t
	return syscall.Statfs(dir, &st) == nil && st.Type == 0x01021994
}
