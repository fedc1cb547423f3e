//go:build unix

// Command floor is run by `go run ./bench` to measure the two floors that
// the batch is compared with, each in a process of its own:
//
//	floor io -in DIR -sizes FILE -out DIR
//	floor compile -in DIR -identity-uuid UUID [-workers N]
//	floor sign -in DIR -cert FILE -key FILE [-chain FILE]
//
// io is the I/O floor: it reads every *.json file of -in and writes, for
// each, one output of the size that -sizes lists on the same line (the
// sizes of the batch's own outputs) into -out, atomically, with the same
// package and options as batch (internal/atomicfile, temporary file and
// rename, no flush), on as many goroutines as batch has workers. Nothing
// else: no parsing, compiling or hashing.
//
// compile is the compile floor: it reads every *.json file of -in into
// memory, then runs each through the pipeline exactly as batch does
// (graphjson.Split, then graph2mobileconfig's Compiler.CompileItem: decode,
// compile, XML encode), unsigned, on -workers goroutines (1 by default), and prints the
// CPU time of that loop alone, as sign does. It is the work of batch
// without files, signing or batch's own bookkeeping.
//
// sign is the signing floor: it reads every *.mobileconfig of -in into
// memory, then signs each with signing.Sign on all CPUs, and prints as JSON
// the CPU time (user and system, from getrusage) and wall time of the
// signing alone.
package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/atomicfile"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: floor io|sign [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	in := fs.String("in", "", "input folder")
	out := fs.String("out", "", "output folder (io)")
	sizes := fs.String("sizes", "", "file listing one output size per input, in input name order (io)")
	cert := fs.String("cert", "", "signer certificate, PEM (sign)")
	key := fs.String("key", "", "signer key, PEM (sign)")
	chain := fs.String("chain", "", "intermediate certificates, PEM (sign)")
	uuid := fs.String("identity-uuid", "", "the --identity-uuid batch is given (compile)")
	workers := fs.Int("workers", 1, "goroutines (compile)")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "io":
		err = ioFloor(*in, *sizes, *out)
	case "compile":
		err = compileFloor(*in, *uuid, *workers)
	case "sign":
		err = signFloor(*in, *cert, *key, *chain)
	default:
		err = fmt.Errorf("unknown floor %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func ioFloor(in, sizesFile, out string) error {
	sizeText, err := os.ReadFile(sizesFile)
	if err != nil {
		return err
	}
	var sizes []int
	for _, f := range strings.Fields(string(sizeText)) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return fmt.Errorf("%s: %v", sizesFile, err)
		}
		sizes = append(sizes, n)
	}
	entries, err := os.ReadDir(in)
	if err != nil {
		return err
	}
	var inputs []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			inputs = append(inputs, e.Name())
		}
	}
	if len(inputs) != len(sizes) {
		return fmt.Errorf("%d inputs and %d sizes", len(inputs), len(sizes))
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// One buffer of the largest size, sliced per output: the floor does
	// not spend time making contents.
	payload := make([]byte, slices.Max(sizes))
	for i := range payload {
		payload[i] = 'x'
	}
	type job struct {
		name string
		size int
	}
	jobs := make(chan job, 2*runtime.NumCPU())
	errs := make(chan error, runtime.NumCPU())
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var first error
			for j := range jobs {
				if first != nil {
					continue
				}
				if _, err := os.ReadFile(filepath.Join(in, j.name)); err != nil {
					first = err
					continue
				}
				path := filepath.Join(out, strings.TrimSuffix(j.name, ".json")+".mobileconfig")
				first = atomicfile.WriteFile(path, payload[:j.size], atomicfile.Options{Perm: 0o644, NoSync: true})
			}
			errs <- first
		}()
	}
	for i, name := range inputs {
		jobs <- job{name, sizes[i]}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func compileFloor(in, identityUUID string, workers int) error {
	files, err := filepath.Glob(filepath.Join(in, "*.json"))
	if err != nil {
		return err
	}
	var inputs [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		inputs = append(inputs, b)
	}
	opts := graph2mobileconfig.Options{Format: plistout.XML, Limits: graphjson.DefaultLimits}
	opts.Compile.IdentityUUID = identityUUID
	compiler, _, err := graph2mobileconfig.New(opts)
	if err != nil {
		return err
	}
	ctx := context.Background()
	startCPU, start := cpuTime(), time.Now()
	jobs := make(chan []byte, 2*workers)
	errs := make(chan error, workers)
	var count atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var first error
			for data := range jobs {
				items, err := graphjson.Split(data, opts.Limits)
				if err != nil {
					first = cmp.Or(first, err)
					continue
				}
				for _, it := range items {
					if _, diags, err := compiler.CompileItem(ctx, it); err != nil {
						first = cmp.Or(first, fmt.Errorf("an input did not compile: %v\n%s", err, diags))
					}
					count.Add(1)
				}
			}
			errs <- first
		}()
	}
	for _, data := range inputs {
		jobs <- data
	}
	close(jobs)
	wg.Wait()
	report := floorReport{Count: int(count.Load()), CPUNano: int64(cpuTime() - startCPU), Wall: int64(time.Since(start))}
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return json.NewEncoder(os.Stdout).Encode(report)
}

// floorReport is what compile and sign print.
type floorReport struct {
	Count   int   `json:"count"`
	CPUNano int64 `json:"cpu_ns"`
	Wall    int64 `json:"wall_ns"`
}

func signFloor(in, certFile, keyFile, chainFile string) error {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	id, err := signing.LoadPEMIdentity(certPEM, keyPEM, nil)
	if err != nil {
		return err
	}
	if chainFile != "" {
		data, err := os.ReadFile(chainFile)
		if err != nil {
			return err
		}
		certs, err := signing.ParseCertificates(data)
		if err != nil {
			return err
		}
		id.Chain = append(id.Chain, certs...)
	}
	files, err := filepath.Glob(filepath.Join(in, "*.mobileconfig"))
	if err != nil {
		return err
	}
	var profiles [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		profiles = append(profiles, b)
	}
	if len(profiles) == 0 {
		return fmt.Errorf("no *.mobileconfig in %s", in)
	}

	startCPU, start := cpuTime(), time.Now()
	jobs := make(chan []byte, 2*runtime.NumCPU())
	errs := make(chan error, runtime.NumCPU())
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var first error
			for p := range jobs {
				if first == nil {
					_, first = signing.Sign(p, id)
				}
			}
			errs <- first
		}()
	}
	for _, p := range profiles {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	report := floorReport{Count: len(profiles), CPUNano: int64(cpuTime() - startCPU), Wall: int64(time.Since(start))}
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	return json.NewEncoder(w).Encode(report)
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
