//go:build unix

// Command bench measures what graph2mobileconfig costs per profile, against
// floors and peers measured in the same run on the same machine, and
// prints ratios:
//
//	go run ./bench                       # 2,000 exports, 5 repetitions, tmpfs and the disk
//	go run ./bench -n 5000 -reps 7
//	go run ./bench -fs tmpfs             # only in memory
//	go run ./bench -baseline main        # also the command built from another revision (A/B)
//	go run ./bench -ab-env GOGC=200      # also the batches and memory with this environment (A/B; repeatable)
//
// It runs on Unix systems only (getrusage, /proc), as does bench/floor.
//
// Every figure is a child process measured from outside: CPU time (user +
// system, from getrusage of the child, which includes its own children) and
// wall time, and peak resident memory through GNU time when installed. The
// measurements are interleaved (each repetition runs all of them, in an
// order rotated from one repetition to the next) and their medians are
// reported, with how busy the rest of the machine was meanwhile.
//
// What is measured, in each work folder (by default one on tmpfs, /dev/shm,
// and one on the disk that holds the repository):
//
//   - batch: `graph2mobileconfig batch` of N generated exports, unsigned,
//     signed with RSA-2048 and with ECDSA P-256 (each signer under an
//     intermediate, given with --sign-chain);
//   - the I/O floor (bench/floor io): read the same N inputs and write N
//     outputs of the batch's output sizes atomically with the product's
//     own package (internal/atomicfile), nothing else;
//   - the compile floor (bench/floor compile): the same N inputs, already in
//     memory, through the pipeline as batch runs it (split, decode,
//     compile, XML encode), on one goroutine and on as many as CPUs; the
//     CPU time of that loop alone;
//   - the signing floor (bench/floor sign): signing.Sign of the batch's N
//     unsigned outputs with the same signer, in memory; the CPU time of the
//     signing alone, as the child measures it;
//   - peers that only sign: a shell loop running `openssl cms -sign` once
//     per profile (on a subset, -openssl-n), and a Python loop with the
//     `cryptography` package's PKCS#7 builder (bench/pkcs7_sign.py) when a
//     python3 with that package exists (the signing loop's CPU time, as the
//     script measures it, excluding start-up and file I/O);
//   - on the first work folder only: peak memory of batch with 100 inputs,
//     with 10,000, with one maximal input (a list response of thousands of
//     entities, as large as batch reads by default) and with one maximal
//     entity (as large, and with as many JSON values as the caps allow); a
//     single compile; and `openssl cms -verify`
//     of every signed profile of the batch (content compared with the
//     unsigned output).
//
// From these it prints the non-signing CPU per profile, (batch CPU -
// signing floor CPU) / N, against the I/O floor, and where the unsigned
// batch's CPU goes (I/O floor, compile floor, the rest); the signed
// profiles per CPU-second of batch against each peer; A/B comparisons when
// asked; and the memory ratios.
// docs/PERFORMANCE.md records the method and the latest figures.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// identityUUID makes the generated exports (device authentication)
// compile without a PKCS#12 file.
const identityUUID = "11111111-2222-4333-8444-555555555555"

// maxInputSize is batch's default --max-input-size (batch.DefaultMaxInputSize).
const maxInputSize = 16 << 20

type config struct {
	n, reps, opensslN int
	fileSystems       []string
	dir               string
	keep              bool
	skipOpenSSL       bool
	skipPython        bool
	verify            bool
	inProcess         bool
	baseline          string
	abEnv             []string // each "NAME=VALUE[ NAME=VALUE...]"
}

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ", ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func main() {
	var c config
	var fsList string
	var abEnv repeated
	flag.IntVar(&c.n, "n", 2000, "number of generated exports (at least 2,000 for figures worth recording)")
	flag.IntVar(&c.reps, "reps", 5, "interleaved repetitions of every measurement; medians are reported")
	flag.StringVar(&fsList, "fs", "tmpfs,disk", "work folders to measure in: tmpfs (/dev/shm), disk (a hidden folder in the current folder, i.e. the repository's disk), comma-separated")
	flag.StringVar(&c.dir, "dir", "", "measure in this folder only (instead of -fs)")
	flag.BoolVar(&c.keep, "keep", false, "keep the work folders")
	flag.IntVar(&c.opensslN, "openssl-n", 500, "profiles signed by the openssl loop per repetition (one process each, so slow; its cost per profile does not depend on the count)")
	flag.BoolVar(&c.skipOpenSSL, "skip-openssl", false, "skip the openssl loop")
	flag.BoolVar(&c.skipPython, "skip-python", false, "skip the Python cryptography loop")
	flag.BoolVar(&c.verify, "verify", true, "check every signed profile of the batch with openssl cms -verify (first work folder)")
	flag.BoolVar(&c.inProcess, "inprocess", false, "also run the in-process pipeline benchmark (go test -bench; wall time per operation, so disturbed by other load: the compile floor measures the same work in CPU time)")
	flag.StringVar(&c.baseline, "baseline", "", "also measure the batches with the command built from this git revision (A/B)")
	flag.Var(&abEnv, "ab-env", "also measure the batches and the memory with this environment, such as GOGC=200 or \"GOMAXPROCS=1 GOGC=150\" (A/B; repeatable)")
	flag.Parse()
	if c.dir == "" {
		c.fileSystems = strings.Split(fsList, ",")
	}
	c.abEnv = abEnv
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	if c.n < 1 || c.reps < 1 {
		return errors.New("-n and -reps must be at least 1")
	}
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		gnuTime = "/usr/bin/time"
	}
	binDir, err := os.MkdirTemp("", "g2m-bench-bin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(binDir)
	bin, floor, err := build(binDir)
	if err != nil {
		return err
	}
	baseBin, baseFloor := "", ""
	if c.baseline != "" {
		if baseBin, baseFloor, err = buildRevision(binDir, c.baseline); err != nil {
			return err
		}
	}
	py := findPython()

	printHeader(c, py)

	type workDir struct{ label, path string }
	var dirs []workDir
	if c.dir != "" {
		if err := os.MkdirAll(c.dir, 0o755); err != nil {
			return err
		}
		dirs = append(dirs, workDir{"-dir", c.dir})
	}
	for _, fs := range c.fileSystems {
		base := ""
		switch strings.TrimSpace(fs) {
		case "tmpfs":
			if !isTmpfs("/dev/shm") {
				fmt.Println("no tmpfs at /dev/shm: the tmpfs run is skipped")
				continue
			}
			base = "/dev/shm"
		case "disk":
			base = "."
		default:
			return fmt.Errorf("-fs: unknown work folder %q (tmpfs or disk)", fs)
		}
		d, err := os.MkdirTemp(base, ".g2m-bench-")
		if err != nil {
			return err
		}
		if !c.keep {
			defer os.RemoveAll(d)
		}
		dirs = append(dirs, workDir{fs, d})
	}
	for i, d := range dirs {
		if err := runIn(c, d.path, i == 0, bin, floor, baseBin, baseFloor, py); err != nil {
			return err
		}
	}
	if c.inProcess {
		if ns, err := inProcess(); err == nil {
			fmt.Printf("\nin-process pipeline (decode + compile + XML encode, BenchmarkPipelineUnsigned, -cpu 1, median of 5): %.1f µs/profile, %.0f profiles/s per core   [>= 20,000/s]\n", ns/1e3, 1e9/ns)
		} else {
			fmt.Printf("\nin-process benchmark failed: %v\n", err)
		}
	}
	return nil
}

func printHeader(c config, py python) {
	fmt.Printf("graph2mobileconfig benchmark, %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Printf("machine: %d CPUs (%s), %s/%s, %s, %s\n", runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, kernel(), runtime.Version())
	if out, err := exec.Command("openssl", "version").Output(); err == nil {
		fmt.Printf("openssl: %s\n", strings.TrimSpace(string(out)))
	} else {
		fmt.Println("openssl: not found")
	}
	if py.path != "" {
		fmt.Printf("python peer: %s (%s), cryptography %s\n", py.path, py.version, py.cryptography)
	} else {
		fmt.Printf("python peer: UNAVAILABLE: %s\n", py.why)
	}
	if gnuTime == "" {
		fmt.Println("peak memory: unavailable (GNU time, /usr/bin/time, is not installed)")
	}
	fmt.Printf("method: %d exports, %d interleaved repetitions, medians; CPU = user + system of the child (getrusage)\n", c.n, c.reps)
}

// settle is the pause after each run and its clean-up.
const settle = 200 * time.Millisecond

// measurement is one row of the table.
type measurement struct {
	key     string
	name    string
	count   int
	prepare func() error // before and after each run (removes its outputs), not timed
	child   child
	// parse reads what the child printed into the sample.
	parse   func(out []byte, s *sample) error
	samples []sample
}

// runIn measures everything in one work folder.
func runIn(c config, w string, first bool, bin, floor, baseBin, baseFloor string, py python) error {
	fmt.Printf("\n== work folder %s: %s\n", w, describeFS(w))
	inputs := filepath.Join(w, "exports")
	if err := generate(inputs, c.n); err != nil {
		return err
	}
	rsa, err := newPKI(w, "rsa")
	if err != nil {
		return err
	}
	ec, err := newPKI(w, "ec")
	if err != nil {
		return err
	}
	signArgs := func(p pki) []string {
		return []string{"--sign-cert", p.cert, "--sign-key", p.key, "--sign-chain", p.chain}
	}
	batchArgs := func(in, out string, extra ...string) []string {
		return append([]string{"batch", in, "--out-dir", out, "--quiet", "--identity-uuid", identityUUID}, extra...)
	}

	// One run of each batch first: its outputs feed the floors and peers
	// and are checked with OpenSSL; the runs are not timed.
	unsignedOut, rsaOut, ecOut := filepath.Join(w, "out-unsigned"), filepath.Join(w, "out-rsa"), filepath.Join(w, "out-ec")
	for _, r := range []struct {
		out  string
		args []string
	}{{unsignedOut, nil}, {rsaOut, signArgs(rsa)}, {ecOut, signArgs(ec)}} {
		if _, _, err := runChild(child{name: bin, args: batchArgs(inputs, r.out, r.args...)}); err != nil {
			return err
		}
	}
	sizes := map[string]string{}
	for kind, out := range map[string]string{"unsigned": unsignedOut, "rsa": rsaOut, "ec": ecOut} {
		if sizes[kind], err = writeSizes(out, filepath.Join(w, "sizes-"+kind+".txt"), c.n); err != nil {
			return err
		}
	}
	if first && c.verify {
		if err := verifyWithOpenSSL(w, unsignedOut, map[string]pki{rsaOut: rsa, ecOut: ec}); err != nil {
			return err
		}
	}

	var ms []*measurement
	add := func(m *measurement) { ms = append(ms, m) }
	batch := func(key, name, b string, env []string, extra ...string) {
		out := filepath.Join(w, "m-"+key)
		add(&measurement{key: key, name: name, count: c.n,
			prepare: func() error { return os.RemoveAll(out) },
			child:   child{name: b, args: batchArgs(inputs, out, extra...), env: env}})
	}
	// The A/B variants of each batch run next to it, so that each pair
	// meets the same conditions.
	for _, k := range []struct {
		suffix, label string
		args          []string
	}{{"", "batch unsigned", nil}, {"-rsa", "batch signed RSA-2048", signArgs(rsa)}, {"-ec", "batch signed ECDSA P-256", signArgs(ec)}} {
		batch("batch"+k.suffix, k.label, bin, nil, k.args...)
		if baseBin != "" {
			batch("base"+k.suffix, k.label+" ("+c.baseline+")", baseBin, nil, k.args...)
		}
		for i, e := range c.abEnv {
			batch(fmt.Sprintf("env%d", i)+k.suffix, k.label+" ("+e+")", bin, strings.Fields(e), k.args...)
		}
	}
	for _, kind := range []string{"unsigned", "rsa", "ec"} {
		out := filepath.Join(w, "m-io-"+kind)
		name := "I/O floor, " + map[string]string{"unsigned": "unsigned", "rsa": "RSA", "ec": "ECDSA"}[kind] + " output sizes"
		add(&measurement{key: "io-" + kind, name: name, count: c.n,
			prepare: func() error { return os.RemoveAll(out) },
			child:   child{name: floor, args: []string{"io", "-in", inputs, "-sizes", sizes[kind], "-out", out}}})
		if baseFloor != "" && kind == "unsigned" {
			out := out + "-base"
			add(&measurement{key: "base-io-" + kind, name: name + " (" + c.baseline + ")", count: c.n,
				prepare: func() error { return os.RemoveAll(out) },
				child:   child{name: baseFloor, args: []string{"io", "-in", inputs, "-sizes", sizes[kind], "-out", out}}})
		}
	}
	loopCPU := func(what string) func([]byte, *sample) error {
		return func(out []byte, s *sample) error {
			var r struct {
				CPUNano int64 `json:"cpu_ns"`
			}
			if err := json.Unmarshal(out, &r); err != nil {
				return fmt.Errorf("%s: %v in %q", what, err, out)
			}
			s.loopCPU = time.Duration(r.CPUNano)
			return nil
		}
	}
	for _, workers := range []int{1, runtime.NumCPU()} {
		add(&measurement{key: fmt.Sprintf("compile-%d", workers), name: fmt.Sprintf("compile floor, %d goroutine(s) (pipeline, in memory)", workers), count: c.n,
			child: child{name: floor, args: []string{"compile", "-in", inputs, "-identity-uuid", identityUUID, "-workers", strconv.Itoa(workers)}},
			parse: loopCPU("compile floor")})
	}
	for kind, p := range map[string]pki{"rsa": rsa, "ec": ec} {
		add(&measurement{key: "sign-" + kind, name: "signing floor " + map[string]string{"rsa": "RSA-2048", "ec": "ECDSA P-256"}[kind] + " (signing.Sign)", count: c.n,
			child: child{name: floor, args: []string{"sign", "-in", unsignedOut, "-cert", p.cert, "-key", p.key, "-chain", p.chain}},
			parse: loopCPU("signing floor")})
	}
	if !c.skipOpenSSL {
		if _, err := exec.LookPath("openssl"); err == nil {
			k := min(c.opensslN, c.n)
			subset := filepath.Join(w, "openssl-in")
			if err := copyFirst(unsignedOut, subset, k); err != nil {
				return err
			}
			for kind, p := range map[string]pki{"rsa": rsa, "ec": ec} {
				out := filepath.Join(w, "m-openssl-"+kind)
				script := fmt.Sprintf(`mkdir -p %q && for f in %q/*.mobileconfig; do openssl cms -sign -nodetach -binary -outform DER -md sha256 -signer %q -inkey %q -certfile %q -in "$f" -out %q/"${f##*/}" || exit 1; done`,
					out, subset, p.cert, p.key, p.chain, out)
				add(&measurement{key: "openssl-" + kind, name: "openssl cms -sign loop " + map[string]string{"rsa": "RSA-2048", "ec": "ECDSA P-256"}[kind], count: k,
					prepare: func() error { return os.RemoveAll(out) },
					child:   child{name: "/bin/sh", args: []string{"-c", script}}})
			}
		}
	}
	if py.path != "" && !c.skipPython {
		for kind, p := range map[string]pki{"rsa": rsa, "ec": ec} {
			out := filepath.Join(w, "m-python-"+kind)
			add(&measurement{key: "python-" + kind, name: "Python cryptography loop " + map[string]string{"rsa": "RSA-2048", "ec": "ECDSA P-256"}[kind], count: c.n,
				prepare: func() error { return os.RemoveAll(out) },
				child:   child{name: py.path, args: []string{filepath.Join("bench", "pkcs7_sign.py"), p.cert, p.key, p.chain, unsignedOut, out}},
				parse: func(b []byte, s *sample) error {
					var r struct {
						Count int     `json:"count"`
						Loop  float64 `json:"loop_cpu_seconds"`
					}
					if err := json.Unmarshal(b, &r); err != nil || r.Count != c.n {
						return fmt.Errorf("python peer: %v, %d profiles signed, output %q", err, r.Count, b)
					}
					s.loopCPU = time.Duration(r.Loop * 1e9)
					return nil
				}})
		}
	}
	var maxEntities int
	if first {
		for _, m := range []struct {
			key string
			n   int
		}{{"mem-100", 100}, {"mem-10000", 10000}} {
			in := filepath.Join(w, "exports-"+strconv.Itoa(m.n))
			if err := generate(in, m.n); err != nil {
				return err
			}
			out := filepath.Join(w, "m-"+m.key)
			add(&measurement{key: m.key, name: fmt.Sprintf("batch unsigned, %d inputs", m.n), count: m.n,
				prepare: func() error { return os.RemoveAll(out) },
				child:   child{name: bin, args: batchArgs(in, out)}})
		}
		maxIn := filepath.Join(w, "exports-max")
		if maxEntities, err = generateMaximal(maxIn, maxInputSize); err != nil {
			return err
		}
		out := filepath.Join(w, "m-mem-max")
		add(&measurement{key: "mem-max", name: fmt.Sprintf("batch unsigned, one 16 MiB list (%d entities)", maxEntities), count: maxEntities,
			prepare: func() error { return os.RemoveAll(out) },
			child:   child{name: bin, args: batchArgs(maxIn, out)}})
		entityIn := filepath.Join(w, "exports-entity")
		values, err := generateMaximalEntity(entityIn, maxInputSize)
		if err != nil {
			return err
		}
		entityOut := filepath.Join(w, "m-mem-entity")
		add(&measurement{key: "mem-entity", name: fmt.Sprintf("batch unsigned, one 16 MiB entity (%d values)", values), count: 1,
			prepare: func() error { return os.RemoveAll(entityOut) },
			child:   child{name: bin, args: batchArgs(entityIn, entityOut)}})
		for i, e := range c.abEnv {
			for _, key := range []string{"mem-100", "mem-10000", "mem-max"} {
				base := find(ms, key)
				v := fmt.Sprintf("-env%d", i)
				out := base.child.args[3] + v // batchArgs: batch IN --out-dir OUT
				args := slices.Clone(base.child.args)
				args[3] = out
				add(&measurement{key: key + v, name: base.name + " (" + e + ")", count: base.count,
					prepare: func() error { return os.RemoveAll(out) },
					child:   child{name: bin, args: args, env: strings.Fields(e)}})
			}
		}
	}

	// The interleaved repetitions.
	for rep := range c.reps {
		fmt.Fprintf(os.Stderr, "\rrepetition %d of %d ...", rep+1, c.reps)
		for i := range ms {
			m := ms[(i+rep)%len(ms)]
			if m.prepare != nil {
				if err := m.prepare(); err != nil {
					return err
				}
			}
			s, out, err := runChild(m.child)
			if err != nil {
				return err
			}
			if m.parse != nil {
				if err := m.parse(out, &s); err != nil {
					return err
				}
			}
			m.samples = append(m.samples, s)
			// Remove the outputs now rather than just before the next run
			// of this measurement, and let the kernel finish freeing them
			// (deferred work that would otherwise be charged to whichever
			// process runs next).
			if m.prepare != nil {
				if err := m.prepare(); err != nil {
					return err
				}
			}
			time.Sleep(settle)
		}
	}
	fmt.Fprint(os.Stderr, "\r                          \r")

	report(c, ms, py)
	if first {
		if err := singleCompile(bin, w); err != nil {
			return err
		}
	}
	return nil
}

func find(ms []*measurement, key string) *measurement {
	for _, m := range ms {
		if m.key == key {
			return m
		}
	}
	return nil
}

// report prints the table and the derived figures of one work folder.
func report(c config, ms []*measurement, py python) {
	st := map[string]stats{}
	var loads, others, steals []float64
	for _, m := range ms {
		st[m.key] = summarize(m.samples)
		for _, s := range m.samples {
			loads = append(loads, s.load1)
			others = append(others, s.otherCores)
			steals = append(steals, s.stealCores)
		}
	}
	slices.Sort(loads)
	fmt.Printf("machine load during the runs: 1-minute load average %.2f to %.2f (median %.2f); other processes' CPU during a run, median %.2f cores (max %.2f); hypervisor steal median %.2f cores\n\n",
		loads[0], loads[len(loads)-1], median(slices.Clone(loads)), median(slices.Clone(others)), slices.Max(others), median(steals))

	fmt.Printf("%-52s %8s %9s %7s %7s %7s %9s %10s %9s %7s\n", "measurement (medians)", "profiles", "CPU µs/p", "spread", "user", "sys", "wall ms", "p/CPU-s", "peak RSS", "others")
	for _, m := range ms {
		s := st[m.key]
		cpu := s.cpu
		note := ""
		if s.loop > 0 {
			cpu = s.loop
			note = " *"
		}
		rss := "-"
		if s.peakRSS > 0 {
			rss = fmt.Sprintf("%.1f MiB", float64(s.peakRSS)/(1<<20))
		}
		fmt.Printf("%-52s %8d %9.1f %6.0f%% %7.1f %7.1f %9.0f %10.0f %9s %7.2f%s\n", m.name, m.count,
			us(cpu)/float64(m.count), 100*s.spread, us(s.user)/float64(m.count), us(s.sys)/float64(m.count),
			float64(s.wall)/1e6, float64(m.count)/cpu.Seconds(), rss, s.otherCores, note)
	}
	fmt.Println("spread: (largest - smallest) / median of the CPU time over the repetitions; others: other processes' CPU during the run, in cores")
	fmt.Println("* CPU of the measured loop alone, as the child reported it (user and sys are of the whole process)")

	n := float64(c.n)
	perProfile := func(key string) float64 { return us(st[key].cpu) / n }
	fmt.Println("\nnon-signing CPU per profile = (batch CPU - signing floor CPU) / N, against the I/O floor   [target: <= I/O floor + 50 µs]")
	for _, r := range []struct{ label, batch, sign, io string }{
		{"unsigned", "batch", "", "io-unsigned"},
		{"RSA-2048", "batch-rsa", "sign-rsa", "io-rsa"},
		{"ECDSA P-256", "batch-ec", "sign-ec", "io-ec"},
	} {
		non := perProfile(r.batch)
		if r.sign != "" {
			non -= us(st[r.sign].loop) / n
		}
		io := perProfile(r.io)
		fmt.Printf("  %-12s %6.1f µs = I/O floor %5.1f µs + %5.1f µs (%.2fx the floor)   %s\n", r.label, non, io, non-io, non/io, verdict(non-io <= 50))
	}

	fmt.Println("\nwhere the unsigned batch's CPU per profile goes (medians of separate processes, so the parts need not add up exactly)")
	io, comp1, compN := perProfile("io-unsigned"), us(st["compile-1"].loop)/n, us(st[fmt.Sprintf("compile-%d", runtime.NumCPU())].loop)/n
	total := perProfile("batch")
	fmt.Printf("  batch unsigned %.1f µs = I/O floor %.1f + compile floor, 1 goroutine, %.1f + the rest %.1f (batch's own work, and running on %d threads: the compile floor on %d goroutines costs %.1f)\n",
		total, io, comp1, total-io-comp1, runtime.NumCPU(), runtime.NumCPU(), compN)
	fmt.Printf("  compile floor, 1 goroutine: %.0f profiles per CPU-second   [>= 20,000]  %s\n", 1e6/comp1, verdict(1e6/comp1 >= 20000))

	rate := func(key string, loop bool) float64 {
		s, ok := st[key]
		if !ok || s.n == 0 {
			return 0
		}
		cpu := s.cpu
		if loop {
			cpu = s.loop
		}
		return float64(find(ms, key).count) / cpu.Seconds()
	}
	fmt.Println("\nsigned profiles per CPU-second (batch also reads, compiles and writes; the peers only sign)")
	for _, r := range []struct{ label, batch, openssl, python string }{
		{"ECDSA P-256", "batch-ec", "openssl-ec", "python-ec"},
		{"RSA-2048", "batch-rsa", "openssl-rsa", "python-rsa"},
	} {
		b := rate(r.batch, false)
		fmt.Printf("  %-12s batch %8.0f", r.label, b)
		if o := rate(r.openssl, false); o > 0 {
			fmt.Printf(" | openssl loop %6.0f: %6.1fx", o, b/o)
			if r.label == "ECDSA P-256" {
				fmt.Printf(" [>= 20x] %s", verdict(b/o >= 20))
			}
		}
		if p := rate(r.python, true); p > 0 {
			fmt.Printf(" | Python loop %7.0f (whole process %7.0f): %5.2fx", p, rate(r.python, false), b/p)
			if r.label == "ECDSA P-256" {
				fmt.Printf(" [> 1x] %s", verdict(b > p))
			} else {
				fmt.Printf(" [reported]")
			}
		}
		fmt.Println()
	}
	if py.path == "" {
		fmt.Printf("  Python cryptography peer UNAVAILABLE: %s\n", py.why)
	}

	if c.baseline != "" || len(c.abEnv) > 0 {
		fmt.Println("\nA/B (CPU µs per profile, medians; negative = this build or setting is cheaper)")
		for _, kind := range []string{"", "-rsa", "-ec"} {
			this := perProfile("batch" + kind)
			label := map[string]string{"": "unsigned", "-rsa": "RSA-2048", "-ec": "ECDSA P-256"}[kind]
			if c.baseline != "" {
				b := perProfile("base" + kind)
				fmt.Printf("  %-12s this build %6.1f, %s %6.1f: %+5.1f%%\n", label, this, c.baseline, b, 100*(this-b)/b)
				if kind == "" && st["base-io-unsigned"].n > 0 {
					this, b := perProfile("io-unsigned"), perProfile("base-io-unsigned")
					fmt.Printf("  %-12s this build %6.1f, %s %6.1f: %+5.1f%%\n", "I/O floor", this, c.baseline, b, 100*(this-b)/b)
				}
			}
			for i, e := range c.abEnv {
				v := perProfile(fmt.Sprintf("env%d", i) + kind)
				fmt.Printf("  %-12s default %6.1f, %s %6.1f: %+5.1f%%\n", label, this, e, v, 100*(v-this)/this)
			}
		}
	}

	if m100, ok := st["mem-100"]; ok && m100.peakRSS > 0 {
		fmt.Println("\npeak resident memory (medians; range over the repetitions)   [target: <= 1.5x the 100-input run]")
		show := func(key string) {
			s := st[key]
			fmt.Printf("  %-52s %6.1f MiB (%.1f to %.1f)  %5.2fx   %s\n", find(ms, key).name, mib(s.peakRSS), mib(s.minRSS), mib(s.maxRSS),
				float64(s.peakRSS)/float64(m100.peakRSS), verdict(float64(s.peakRSS) <= 1.5*float64(m100.peakRSS)))
		}
		fmt.Printf("  %-52s %6.1f MiB (%.1f to %.1f)\n", find(ms, "mem-100").name, mib(m100.peakRSS), mib(m100.minRSS), mib(m100.maxRSS))
		show("mem-10000")
		show("mem-max")
		if s, ok := st["mem-entity"]; ok {
			fmt.Printf("  %-52s %6.1f MiB (%.1f to %.1f)  %5.2fx   [not a target: one entity is held whole, bounded by the caps]\n", find(ms, "mem-entity").name, mib(s.peakRSS), mib(s.minRSS), mib(s.maxRSS),
				float64(s.peakRSS)/float64(m100.peakRSS))
		}
		for i := range c.abEnv {
			v := fmt.Sprintf("-env%d", i)
			base := st["mem-100"+v]
			for _, key := range []string{"mem-100", "mem-10000", "mem-max"} {
				s := st[key+v]
				fmt.Printf("  %-52s %6.1f MiB (%.1f to %.1f)  %5.2fx its own 100-input run, %5.2fx the default's\n", find(ms, key+v).name, mib(s.peakRSS), mib(s.minRSS), mib(s.maxRSS),
					float64(s.peakRSS)/float64(base.peakRSS), float64(s.peakRSS)/float64(m100.peakRSS))
			}
		}
	}
}

func us(d time.Duration) float64 { return float64(d) / 1e3 }
func mib(b int64) float64        { return float64(b) / (1 << 20) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

// writeSizes lists the sizes of the n profiles in dir, one a line.
func writeSizes(dir, file string, n int) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.mobileconfig"))
	if err != nil {
		return "", err
	}
	if len(files) != n {
		return "", fmt.Errorf("%s: %d profiles, want %d", dir, len(files), n)
	}
	var b strings.Builder
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintln(&b, fi.Size())
	}
	return file, os.WriteFile(file, []byte(b.String()), 0o644)
}

// copyFirst copies the first k profiles of src into dst.
func copyFirst(src, dst string, k int) error {
	files, err := filepath.Glob(filepath.Join(src, "*.mobileconfig"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, f := range files[:min(k, len(files))] {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// verifyWithOpenSSL runs `openssl cms -verify` on every signed profile
// and compares the content it extracts with the unsigned batch's profile of
// the same name.
func verifyWithOpenSSL(w, unsigned string, signed map[string]pki) error {
	if _, err := exec.LookPath("openssl"); err != nil {
		fmt.Println("openssl not found: the signed profiles are not verified")
		return nil
	}
	for dir, p := range signed {
		files, err := filepath.Glob(filepath.Join(dir, "*.mobileconfig"))
		if err != nil {
			return err
		}
		tmp := filepath.Join(w, "verify-"+filepath.Base(dir))
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return err
		}
		jobs := make(chan string)
		var mu sync.Mutex
		var failures []string
		var wg sync.WaitGroup
		for range runtime.NumCPU() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for f := range jobs {
					out := filepath.Join(tmp, filepath.Base(f))
					msg, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", f, "-CAfile", p.root, "-purpose", "any", "-out", out).CombinedOutput()
					if err == nil {
						got, err1 := os.ReadFile(out)
						want, err2 := os.ReadFile(filepath.Join(unsigned, filepath.Base(f)))
						if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
							err = errors.New("the signed content differs from the unsigned profile")
						}
					}
					if err != nil {
						mu.Lock()
						failures = append(failures, fmt.Sprintf("%s: %v %s", f, err, strings.TrimSpace(string(msg))))
						mu.Unlock()
					}
				}
			}()
		}
		for _, f := range files {
			jobs <- f
		}
		close(jobs)
		wg.Wait()
		os.RemoveAll(tmp)
		if len(failures) > 0 {
			return fmt.Errorf("openssl cms -verify failed for %d of %d profiles, first: %s", len(failures), len(files), failures[0])
		}
		fmt.Printf("openssl cms -verify: all %d profiles of %s verified, content equal to the unsigned batch's\n", len(files), filepath.Base(dir))
	}
	return nil
}

// singleCompile times 21 whole-process compiles of the full-featured
// fixture.
func singleCompile(bin, w string) error {
	var samples []sample
	for range 21 {
		s, _, err := runChild(child{name: bin, args: []string{"compile", "fixtures/full-featured/input.json", "-o", filepath.Join(w, "single.mobileconfig"), "--identity-uuid", identityUUID, "--var", "certificatesubjectname=iphone.bench.example", "--json"}})
		if err != nil {
			return err
		}
		samples = append(samples, s)
	}
	st := summarize(samples)
	best := slices.MinFunc(samples, func(a, b sample) int { return int(a.wall - b.wall) })
	fmt.Printf("\none compile of the full-featured fixture, whole process (21 runs): wall median %.1f ms, best %.1f ms; CPU median %.1f ms   [< 30 ms]\n",
		float64(st.wall)/1e6, float64(best.wall)/1e6, float64(st.cpu)/1e6)
	return nil
}

// inProcess runs the pipeline benchmark on one core and returns the
// median ns per profile.
func inProcess() (float64, error) {
	out, err := exec.Command("go", "test", ".", "-run", "^$", "-bench", "^BenchmarkPipelineUnsigned$", "-cpu", "1", "-count", "5").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%v\n%s", err, out)
	}
	var v []float64
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		for i := 1; i < len(f); i++ {
			if f[i] == "ns/op" {
				if ns, err := strconv.ParseFloat(f[i-1], 64); err == nil {
					v = append(v, ns)
				}
			}
		}
	}
	if len(v) == 0 {
		return 0, fmt.Errorf("no result in:\n%s", out)
	}
	return median(v), nil
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown model"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown model"
}

func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return runtime.GOOS
	}
	return "Linux " + strings.TrimSpace(string(b))
}

// python is the interpreter used for the cryptography peer.
type python struct {
	path, version, cryptography string
	why                         string // why there is none
}

// findPython looks for a python3 that has the cryptography package: the one
// on PATH (which may be pyenv's), then the system's /usr/bin/python3 (where
// Debian's python3-cryptography installs it).
func findPython() python {
	var tried []string
	for _, cand := range []string{"python3", "/usr/bin/python3"} {
		path, err := exec.LookPath(cand)
		if err != nil {
			continue
		}
		if real, err := filepath.EvalSymlinks(path); err == nil && slices.Contains(tried, real) {
			continue
		} else if err == nil {
			tried = append(tried, real)
		}
		out, err := exec.Command(path, "-c", "import sys, cryptography; from cryptography.hazmat.primitives.serialization import pkcs7; pkcs7.PKCS7Options.NoCapabilities; print(sys.version.split()[0], cryptography.__version__, sys.executable)").Output()
		if err != nil {
			continue
		}
		// The interpreter itself, not a launcher such as pyenv's shim, whose
		// start-up would be counted.
		f := strings.Fields(string(out))
		if len(f) == 3 {
			return python{path: f[2], version: "Python " + f[0], cryptography: f[1]}
		}
	}
	if len(tried) == 0 {
		return python{why: "no python3 found"}
	}
	return python{why: "no python3 with the cryptography package (PKCS#7 signing) was found; on Debian, apt-get install python3-cryptography, which /usr/bin/python3 then imports"}
}
