package testenv

import (
	"testing"

	_ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
)

// recorder is a testing.TB that records how a helper ended the test.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Skip(args ...any) {
	r.skipped = true
	r.msg = args[0].(string)
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msg = format
}

func TestSkipOrFail(t *testing.T) {
	for _, ci := range []string{"", "true"} {
		t.Run("CI="+ci, func(t *testing.T) {
			t.Setenv("CI", ci)
			r := &recorder{TB: t}
			Tool(r, "no-such-program-g2m", "the test of nothing")
			if ci == "true" && (!r.failed || r.skipped) {
				t.Errorf("under CI a missing tool must fail the test: failed %v, skipped %v", r.failed, r.skipped)
			}
			if ci == "" && (!r.skipped || r.failed) {
				t.Errorf("outside CI a missing tool must skip the test: failed %v, skipped %v", r.failed, r.skipped)
			}
		})
	}
	r := &recorder{TB: t}
	if p := Tool(r, "go", "building"); p == "" || r.skipped || r.failed {
		t.Errorf("go: path %q, skipped %v, failed %v", p, r.skipped, r.failed)
	}
}
