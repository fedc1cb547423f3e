// Command bench measures graph2mobileconfig against the cost of signing and
// against the usual shell-and-OpenSSL alternative, on the same machine in
// one run, and prints ratios rather than absolute times:
//
//	go run ./bench            # 2,000 generated exports
//	go run ./bench -n 10000   # more
//
// It builds the command, generates N varied Graph exports, and measures:
// batch unsigned; batch signed with RSA-2048 and with ECDSA P-256; the floor
// (raw CMS signing of the same profile bytes with the same key, in a tight
// loop on all CPUs, in-process); a shell loop calling `openssl cms -sign`
// once per unsigned profile; the peak memory of batch with 100 and with
// 10,000 inputs; and the wall time of a single compile of the full-featured
// fixture. docs/PERFORMANCE.md records the method and the latest figures.
package main

import (
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
	"flag"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

func main() {
	n := flag.Int("n", 2000, "number of generated exports")
	dir := flag.String("dir", "", "work folder (default: a new folder in /dev/shm when it exists, so that the VM's disk is not what is measured, else in the system's temporary folder; removed at the end)")
	keep := flag.Bool("keep", false, "keep the work folder")
	skipOpenSSL := flag.Bool("skip-openssl", false, "skip the openssl loop")
	flag.IntVar(&repeat, "repeat", 3, "run each measurement this many times and keep the fastest, which is the least disturbed by other load")
	flag.Parse()
	if err := run(*n, *dir, *keep, *skipOpenSSL); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// repeat is the number of runs per measurement; set once from the flags.
var repeat = 3

type result struct {
	name    string
	count   int
	wall    time.Duration
	peakRSS int64 // bytes
}

func (r result) perSecond() float64 { return float64(r.count) / r.wall.Seconds() }

func run(n int, dir string, keep, skipOpenSSL bool) error {
	if dir == "" {
		base := ""
		if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
			base = "/dev/shm"
		}
		d, err := os.MkdirTemp(base, "g2m-bench-")
		if err != nil {
			return err
		}
		dir = d
		if !keep {
			defer os.RemoveAll(dir)
		}
	}
	fmt.Printf("graph2mobileconfig benchmark: %d exports, %d CPUs, %s/%s, %s\n", n, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Printf("work folder: %s (%s)\n\n", dir, filesystem(dir))

	bin := filepath.Join(dir, "graph2mobileconfig")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/graph2mobileconfig").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	inputs := filepath.Join(dir, "exports")
	if err := generate(inputs, n); err != nil {
		return err
	}
	rsaCert, rsaKey, err := signer(dir, "rsa")
	if err != nil {
		return err
	}
	ecCert, ecKey, err := signer(dir, "ec")
	if err != nil {
		return err
	}

	var results []result
	batch := func(name, inDir string, count int, extra ...string) (result, error) {
		out := filepath.Join(dir, "out-"+strings.ReplaceAll(name, " ", "-"))
		os.RemoveAll(out)
		args := append([]string{"batch", inDir, "--out-dir", out, "--quiet", "--identity-uuid", "11111111-2222-4333-8444-555555555555"}, extra...)
		r, err := timed(name, count, bin, args...)
		results = append(results, r)
		return r, err
	}
	unsigned, err := batch("batch unsigned", inputs, n)
	if err != nil {
		return err
	}
	rsaBatch, err := batch("batch signed RSA-2048", inputs, n, "--sign-cert", rsaCert, "--sign-key", rsaKey)
	if err != nil {
		return err
	}
	ecBatch, err := batch("batch signed ECDSA P-256", inputs, n, "--sign-cert", ecCert, "--sign-key", ecKey)
	if err != nil {
		return err
	}

	// The floor: sign the batch's own unsigned outputs with the same keys,
	// on all CPUs, in-process: what signing alone costs.
	profiles, err := readAll(filepath.Join(dir, "out-batch-unsigned"))
	if err != nil {
		return err
	}
	rsaFloor, err := floor("floor RSA-2048 (CMS signing only)", profiles, rsaCert, rsaKey)
	if err != nil {
		return err
	}
	ecFloor, err := floor("floor ECDSA P-256 (CMS signing only)", profiles, ecCert, ecKey)
	if err != nil {
		return err
	}
	results = append(results, rsaFloor, ecFloor)

	var opensslLoop result
	if !skipOpenSSL {
		if _, err := exec.LookPath("openssl"); err == nil {
			opensslLoop, err = openssl(dir, filepath.Join(dir, "out-batch-unsigned"), rsaCert, rsaKey, n)
			if err != nil {
				return err
			}
			results = append(results, opensslLoop)
		} else {
			fmt.Println("openssl not found: the openssl loop is skipped")
		}
	}

	// Memory: batch with 100 inputs and with 10,000.
	small := filepath.Join(dir, "exports-100")
	large := filepath.Join(dir, "exports-10000")
	if err := generate(small, 100); err != nil {
		return err
	}
	if err := generate(large, 10000); err != nil {
		return err
	}
	mem100, err := batch("batch unsigned, 100 inputs", small, 100)
	if err != nil {
		return err
	}
	mem10k, err := batch("batch unsigned, 10,000 inputs", large, 10000)
	if err != nil {
		return err
	}

	// A single compile, whole process, best and median of 21 runs.
	var single []time.Duration
	for i := 0; i < 21; i++ {
		r, err := timed("compile", 1, bin, "compile", "fixtures/full-featured/input.json", "-o", filepath.Join(dir, "single.mobileconfig"), "--identity-uuid", "11111111-2222-4333-8444-555555555555", "--var", "certificatesubjectname=iphone.bench.example", "--diagnostics", "json")
		if err != nil {
			return err
		}
		single = append(single, r.wall)
	}
	slices.Sort(single)

	fmt.Printf("%-40s %8s %10s %12s %10s\n", "measurement", "profiles", "wall", "profiles/s", "peak RSS")
	for _, r := range results {
		rss := "-"
		if r.peakRSS > 0 {
			rss = fmt.Sprintf("%.1f MiB", float64(r.peakRSS)/(1<<20))
		}
		fmt.Printf("%-40s %8d %10s %12.0f %10s\n", r.name, r.count, r.wall.Round(time.Millisecond), r.perSecond(), rss)
	}
	fmt.Println()
	fmt.Println("ratios (targets in brackets):")
	fmt.Printf("  batch signed RSA-2048 / floor RSA-2048        %6.1f%%   [>= 85%%]\n", 100*rsaBatch.perSecond()/rsaFloor.perSecond())
	fmt.Printf("  batch signed ECDSA P-256 / floor ECDSA P-256  %6.1f%%   [>= 85%%]\n", 100*ecBatch.perSecond()/ecFloor.perSecond())
	if opensslLoop.count > 0 {
		fmt.Printf("  batch signed RSA-2048 / openssl cms loop      %6.1fx   [>= 5x]\n", rsaBatch.perSecond()/opensslLoop.perSecond())
	}
	fmt.Printf("  batch unsigned, profiles/s per CPU            %8.0f\n", unsigned.perSecond()/float64(runtime.NumCPU()))
	fmt.Printf("  peak RSS 10,000 inputs / 100 inputs           %6.2fx   [<= 1.5x]\n", float64(mem10k.peakRSS)/float64(mem100.peakRSS))
	fmt.Printf("  single compile, whole process: best %s, median %s   [< 30 ms]\n", single[0].Round(100*time.Microsecond), single[len(single)/2].Round(100*time.Microsecond))
	if perCore, err := inProcess(); err == nil {
		fmt.Printf("  unsigned compile in-process (decode+compile+encode), profiles/s per core %8.0f   [>= 20000]\n", perCore)
	} else {
		fmt.Printf("  in-process benchmark failed: %v\n", err)
	}
	return nil
}

// inProcess runs the pipeline benchmark on one core and returns
// profiles per second.
func inProcess() (float64, error) {
	out, err := exec.Command("go", "test", ".", "-run", "^$", "-bench", "^BenchmarkPipelineUnsigned$", "-cpu", "1", "-count", "3").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%v\n%s", err, out)
	}
	best := 0.0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		for i := 1; i < len(f); i++ {
			if f[i] == "ns/op" {
				var ns float64
				fmt.Sscan(f[i-1], &ns)
				if ns > 0 && 1e9/ns > best {
					best = 1e9 / ns
				}
			}
		}
	}
	if best == 0 {
		return 0, fmt.Errorf("no result in:\n%s", out)
	}
	return best, nil
}

// filesystem names the file system type of dir, where the OS tells.
func filesystem(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "unknown file system"
	}
	switch st.Type {
	case 0x01021994:
		return "tmpfs: memory, not disk"
	case 0xEF53:
		return "ext4 disk"
	case 0x794c7630:
		return "overlayfs"
	case 0x58465342:
		return "xfs disk"
	}
	return fmt.Sprintf("file system type %#x", st.Type)
}

// timed runs a command repeat times and reports the fastest wall time and
// the peak resident memory. The memory is read by GNU time when it is
// installed: a child forked straight from this (large) process would
// inherit its resident size in the kernel's high-water mark.
func timed(name string, count int, bin string, args ...string) (result, error) {
	best := result{name: name, count: count}
	for i := 0; i < repeat; i++ {
		r, err := timedOnce(name, count, bin, args...)
		if err != nil {
			return r, err
		}
		if best.wall == 0 || r.wall < best.wall {
			best.wall = r.wall
		}
		best.peakRSS = max(best.peakRSS, r.peakRSS)
	}
	return best, nil
}

func timedOnce(name string, count int, bin string, args ...string) (result, error) {
	gnuTime, haveTime := "/usr/bin/time", true
	if _, err := os.Stat(gnuTime); err != nil {
		haveTime = false
	}
	var cmd *exec.Cmd
	var rssFile string
	if haveTime {
		f, err := os.CreateTemp("", "g2m-bench-rss-")
		if err != nil {
			return result{}, err
		}
		f.Close()
		rssFile = f.Name()
		defer os.Remove(rssFile)
		cmd = exec.Command(gnuTime, append([]string{"-f", "%M", "-o", rssFile, bin}, args...)...)
	} else {
		cmd = exec.Command(bin, args...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return result{}, fmt.Errorf("%s: %v\n%s", name, err, stderr.String())
	}
	r := result{name: name, count: count, wall: wall}
	if haveTime {
		b, _ := os.ReadFile(rssFile)
		var kb int64
		fmt.Sscan(strings.TrimSpace(string(b)), &kb)
		r.peakRSS = kb * 1024
	} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.peakRSS = ru.Maxrss * 1024 // kilobytes on Linux; an upper bound here
		if runtime.GOOS == "darwin" {
			r.peakRSS = ru.Maxrss
		}
	}
	return r, nil
}

// floor signs every profile with signing.Sign on all CPUs.
func floor(name string, profiles [][]byte, certFile, keyFile string) (result, error) {
	best := result{}
	for i := 0; i < repeat; i++ {
		r, err := floorOnce(name, profiles, certFile, keyFile)
		if err != nil {
			return r, err
		}
		if best.wall == 0 || r.wall < best.wall {
			best = r
		}
	}
	return best, nil
}

func floorOnce(name string, profiles [][]byte, certFile, keyFile string) (result, error) {
	certPEM, _ := os.ReadFile(certFile)
	keyPEM, _ := os.ReadFile(keyFile)
	id, err := signing.LoadPEMIdentity(certPEM, keyPEM, nil)
	if err != nil {
		return result{}, err
	}
	jobs := make(chan []byte)
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	start := time.Now()
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				if _, err := signing.Sign(p, id); err != nil {
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	for _, p := range profiles {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	return result{name: name, count: len(profiles), wall: time.Since(start)}, firstErr
}

// openssl signs every unsigned profile with one openssl process each, the
// way hand-written scripts do.
func openssl(dir, profilesDir, cert, key string, n int) (result, error) {
	out := filepath.Join(dir, "out-openssl")
	os.MkdirAll(out, 0o755)
	script := fmt.Sprintf(`for f in %q/*.mobileconfig; do openssl cms -sign -nodetach -binary -outform DER -md sha256 -signer %q -inkey %q -in "$f" -out %q/"$(basename "$f")" || exit 1; done`, profilesDir, cert, key, out)
	saved := repeat
	repeat = 1 // slow, and not disturbed enough to need repeating
	defer func() { repeat = saved }()
	return timed("openssl cms -sign loop (one process each)", n, "/bin/sh", "-c", script)
}

func readAll(dir string) ([][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.mobileconfig"))
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// generate writes n varied exports based on the realistic fixtures: ids,
// names, servers, SA proposals and rule counts differ from file to file.
func generate(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var bases []map[string]any
	for _, name := range []string{"full-featured", "psk-ondemand", "eap-only", "flags-false", "proxy-pac"} {
		data, err := os.ReadFile(filepath.Join("fixtures", name, "input.json"))
		if err != nil {
			return fmt.Errorf("run from the repository root: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			return err
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
	groups := []int{14, 19, 20, 21}
	ciphers := []string{"aes256Gcm", "aes128Gcm", "aes256", "chaCha20Poly1305"}
	for i := 0; i < n; i++ {
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
		data, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("export-%05d.json", i)), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// signer makes a signing certificate and key (RSA-2048 or ECDSA P-256).
func signer(dir, kind string) (string, string, error) {
	var key crypto.Signer
	var err error
	if kind == "rsa" {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "graph2mobileconfig bench signer (" + kind + ")"},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return "", "", err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	certFile, keyFile := filepath.Join(dir, kind+".pem"), filepath.Join(dir, kind+".key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), 0o600)
	return certFile, keyFile, nil
}
