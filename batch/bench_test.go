package batch

import (
	"context"
	"os"
	"testing"
)

// BenchmarkRun is a whole batch of 500 generated inputs (single entities,
// get responses and lists with other configurations, from every fixture),
// unsigned, per input: reading, compiling, writing and reporting. Profile
// it with -cpuprofile or -memprofile; bench/ measures the command.
func BenchmarkRun(b *testing.B) {
	const n = 500
	in := generateInputs(b, n)
	out := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if err := os.RemoveAll(out); err != nil {
			b.Fatal(err)
		}
		sum, err := Run(context.Background(), []string{in}, Options{OutDir: out, Jobs: 2, Compiler: defaultCompiler(b)})
		if err != nil || sum.Compiled == 0 {
			b.Fatalf("%+v, %v", sum, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/input")
}
