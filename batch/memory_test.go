package batch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
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
		sum, err := Run(context.Background(), []string{dir}, Options{OutDir: t.TempDir(), Jobs: jobs, Report: filepath.Join(t.TempDir(), "report.json"), Pipeline: defaultPipeline()})
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
func generateInputs(t *testing.T, n int) string {
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
