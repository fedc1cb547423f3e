package batch

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMemoryIsFlat compiles 100 and then 10,000 inputs and checks that the
// peak heap of the large batch stays within 1.5 times (plus 8 MiB) the peak
// of the small one: nothing is kept per input beyond a few bytes.
func TestMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and compiles 10,000 inputs")
	}
	small := generateInputs(t, 100)
	large := generateInputs(t, 10_000)
	// fsync dominates on slow disks; more workers overlap the waits.
	jobs := max(16, runtime.NumCPU())

	measure := func(dir string) (uint64, Summary, time.Duration) {
		runtime.GC()
		stop := sampleHeap()
		start := time.Now()
		sum, err := Run(context.Background(), []string{dir}, Options{OutDir: t.TempDir(), Jobs: jobs, Report: filepath.Join(t.TempDir(), "report.json"), Compiler: defaultCompiler(t)})
		elapsed := time.Since(start)
		peak := stop()
		if err != nil {
			t.Fatal(err)
		}
		return peak, sum, elapsed
	}
	measure(small) // warm up the compiler's lazily built tables
	smallPeak, smallSum, smallTime := measure(small)
	largePeak, largeSum, largeTime := measure(large)
	t.Logf("peak heap in use: %.1f MiB for %d inputs (%d entities, %v), %.1f MiB for %d inputs (%d entities, %v)",
		mib(smallPeak), smallSum.Files, smallSum.Entities, smallTime.Round(time.Millisecond),
		mib(largePeak), largeSum.Files, largeSum.Entities, largeTime.Round(time.Millisecond))

	if smallSum.Files != 100 || largeSum.Files != 10_000 || largeSum.Entities < 10_000 || largeSum.Compiled < 7_000 {
		t.Fatalf("summaries %+v and %+v: the inputs were not all read", smallSum, largeSum)
	}
	limit := smallPeak*3/2 + 8<<20
	if largePeak > limit {
		t.Errorf("peak heap %.1f MiB with 10,000 inputs exceeds 1.5 × %.1f MiB + 8 MiB = %.1f MiB: memory grows with the number of inputs",
			mib(largePeak), mib(smallPeak), mib(limit))
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// sampleHeap samples the heap in use (live and not yet swept objects, plus
// the free space of their spans, like MemStats.HeapInuse) every 2 ms until
// the returned function is called, which returns the peak.
func sampleHeap() func() uint64 {
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
	}
	var peak uint64
	read := func() {
		metrics.Read(samples)
		peak = max(peak, samples[0].Value.Uint64()+samples[1].Value.Uint64())
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		read()
		return peak
	}
}

// generateInputs writes n input files into one folder: single entities,
// {"value": {...}} responses and list responses holding other device
// configurations too, based on every fixture that has an IKEv2 entity, each
// with its own id and displayName.
func generateInputs(t testing.TB, n int) string {
	t.Helper()
	bases := []string{"psk-ondemand", "proxy-pac", "flags-false", "eap-only", "proxy-manual", "always-on", "full-featured"}
	var entities []map[string]any
	for _, b := range bases {
		entities = append(entities, fixtureEntity(t, b))
	}
	dir := t.TempDir()
	for i := range n {
		e := entities[i%len(entities)]
		e["id"] = fmt.Sprintf("%08x-61e2-4b9d-a7c5-%012x", i, i*7919)
		e["displayName"] = fmt.Sprintf("iOS - VPN %d (%s)", i, bases[i%len(bases)])
		var doc any = e
		switch i % 3 {
		case 1:
			doc = map[string]any{"value": e}
		case 2:
			doc = list(other("microsoft.graph.iosGeneralDeviceConfiguration", fmt.Sprint("other-", i), "Restrictions"), e)
		}
		writeJSON(t, filepath.Join(dir, fmt.Sprintf("export-%05d.json", i)), doc)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != n {
		t.Fatalf("generated %d inputs, want %d (%v)", len(entries), n, err)
	}
	return dir
}

// TestMemberAmplificationStaysBounded is issue 11 item 10: a 16 MB input
// with 1.7 million unknown members took 1.2 GB and printed 396 MB of
// warnings, and batch -j4 over four of them reached 5.1 GB. Four 16 MB
// inputs of three hostile kinds (one object with a million and a half
// members; arrays of wide objects past the values limit; 900 entities of
// 1,000 unknown members each, which parse and are decoded) run with four
// workers: the peak heap stays bounded, each refusal is one diagnostic, and
// every entity keeps at most diag.DefaultMax diagnostics plus one line.
func TestMemberAmplificationStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 64 MB of hostile inputs")
	}
	dir := t.TempDir()
	const mb16 = 16<<20 - 1024 // just under --max-input-size
	write := func(name string, build func(w *bufio.Writer, room func() bool)) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(f)
		written := func() int64 { n, _ := f.Seek(0, io.SeekCurrent); return n + int64(w.Buffered()) }
		build(w, func() bool { return written() < mb16-64<<10 })
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	oneObject := func(w *bufio.Writer, room func() bool) {
		w.WriteString(`{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration"`)
		for i := 0; room(); i++ {
			fmt.Fprintf(w, `,"m%d":0`, i)
		}
		w.WriteString("}")
	}
	write("1-one-object.json", oneObject)
	write("2-one-object.json", oneObject)
	write("3-wide-objects.json", func(w *bufio.Writer, room func() bool) {
		w.WriteString("[")
		for e := 0; room(); e++ {
			if e > 0 {
				w.WriteString(",")
			}
			w.WriteString(`{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration"`)
			for i := range 1999 {
				fmt.Fprintf(w, `,"m%d":0`, i)
			}
			w.WriteString("}")
		}
		w.WriteString("]")
	})
	write("4-many-entities.json", func(w *bufio.Writer, _ func() bool) {
		w.WriteString(`{"value": [`)
		for e := range 900 {
			if e > 0 {
				w.WriteString(",")
			}
			fmt.Fprintf(w, `{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration", "id": "e%d"`, e)
			for i := range 1000 {
				fmt.Fprintf(w, `,"m%d":0`, i)
			}
			w.WriteString("}")
		}
		w.WriteString("]}")
	})

	runtime.GC()
	stop := sampleHeap()
	start := time.Now()
	var entries []Entry
	report := filepath.Join(t.TempDir(), "report.json")
	sum, err := Run(context.Background(), []string{dir}, Options{
		OutDir: t.TempDir(), Jobs: 4, Report: report, Compiler: defaultCompiler(t),
		OnEntry: func(e Entry) {
			if len(entries) < 5 || e.Source != entries[len(entries)-1].Source {
				entries = append(entries, e)
			}
			if len(e.Diagnostics) > 201 {
				t.Errorf("%s %s: %d diagnostics", e.Source, e.Path, len(e.Diagnostics))
			}
		},
	})
	elapsed := time.Since(start)
	peak := stop()
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(report)
	t.Logf("peak heap %.1f MiB, %v, report %.1f MiB, summary %+v", mib(peak), elapsed.Round(time.Millisecond), mib(uint64(fi.Size())), sum)
	if sum.Files != 4 || sum.Failed != 903 || sum.Compiled != 0 {
		t.Errorf("summary %+v: want the three refused files and the 900 entities failed", sum)
	}
	for _, e := range entries[:3] {
		if msg := e.Diagnostics[0].Message; len(e.Diagnostics) != 1 || !strings.Contains(msg, "more than 2000 members") && !strings.Contains(msg, "more than 1000000 values") {
			t.Errorf("%s: %v", e.Source, e.Diagnostics)
		}
	}
	if limit := uint64(400 << 20); peak > limit {
		t.Errorf("peak heap %.1f MiB over %.0f MiB", mib(peak), mib(limit))
	}
}

// TestMaximalListMemory is issue 16's "one maximal input": a list response
// as large as batch reads by default, of thousands of entities, is read
// entity by entity, so that its peak heap stays within 1.5 times (plus 8
// MiB) that of a batch of 100 small inputs, as a batch of 10,000 does.
func TestMaximalListMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and compiles a 16 MiB list of 6,000 entities")
	}
	small := generateInputs(t, 100)
	bases := []string{"psk-ondemand", "proxy-pac", "flags-false", "eap-only", "proxy-manual", "always-on"}
	var entities []map[string]any
	for _, b := range bases {
		entities = append(entities, fixtureEntity(t, b))
	}
	maximal := filepath.Join(t.TempDir(), "tenant.json")
	f, err := os.Create(maximal)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(`{"@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations", "value": [`)
	size, n := 0, 0
	for ; ; n++ {
		e := entities[n%len(entities)]
		e["id"] = fmt.Sprintf("%08x-61e2-4b9d-a7c5-%012x", n, n*7919)
		e["displayName"] = fmt.Sprintf("iOS - VPN %d (%s)", n, bases[n%len(bases)])
		data := mustJSON(t, e)
		if size+len(data)+16 > DefaultMaxInputSize {
			break
		}
		if n > 0 {
			w.WriteByte(',')
		}
		w.Write(data)
		size += len(data) + 1
	}
	w.WriteString("]}")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	measure := func(in string) (uint64, Summary) {
		runtime.GC()
		stop := sampleHeap()
		sum, err := Run(context.Background(), []string{in}, Options{OutDir: t.TempDir(), Jobs: 2, Compiler: defaultCompiler(t)})
		peak := stop()
		if err != nil {
			t.Fatal(err)
		}
		return peak, sum
	}
	measure(small) // warm up the compiler's lazily built tables
	smallPeak, _ := measure(small)
	maxPeak, sum := measure(maximal)
	t.Logf("peak heap in use: %.1f MiB for 100 inputs, %.1f MiB for one list of %d entities (%.1f MiB)", mib(smallPeak), mib(maxPeak), n, mib(uint64(size)))
	if sum.Entities != n || sum.Compiled < n/2 {
		t.Fatalf("summary %+v for %d entities", sum, n)
	}
	if limit := smallPeak*3/2 + 8<<20; maxPeak > limit {
		t.Errorf("peak heap %.1f MiB for one maximal list exceeds 1.5 × %.1f MiB + 8 MiB = %.1f MiB: the list is held whole", mib(maxPeak), mib(smallPeak), mib(limit))
	}
}
