package batch

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock that tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func progressAt(files, total int) Progress {
	return Progress{Summary: Summary{Files: files, Compiled: files}, FilesTotal: total}
}

// newTestMeter returns a meter on a terminal of the given width, or not on
// a terminal for nil.
func newTestMeter(width func() int) (*ProgressMeter, *bytes.Buffer, *fakeClock) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := NewProgressMeter(&buf, "tool: ", width)
	m.Now = clock.now
	return m, &buf, clock
}

func TestProgressLines(t *testing.T) {
	m, buf, clock := newTestMeter(nil)
	steps := []struct {
		advance time.Duration
		p       Progress
		want    string // the line printed, or "" for none
	}{
		{0, progressAt(1, 100), ""},
		{10 * time.Millisecond, progressAt(9, 100), ""},
		{10 * time.Millisecond, progressAt(10, 100), "tool:  10% 10/100 files: 10 compiled, 0 skipped, 0 failed\n"},
		{10 * time.Millisecond, progressAt(15, 100), ""},
		{2 * time.Second, progressAt(16, 100), "tool:  16% 16/100 files: 16 compiled, 0 skipped, 0 failed\n"},
		{10 * time.Millisecond, progressAt(19, 100), ""},
		{10 * time.Millisecond, progressAt(35, 100), "tool:  35% 35/100 files: 35 compiled, 0 skipped, 0 failed\n"},
		{10 * time.Millisecond, progressAt(100, 100), "tool: 100% 100/100 files: 100 compiled, 0 skipped, 0 failed\n"},
		// Without a total, only time counts.
		{10 * time.Millisecond, progressAt(101, 0), ""},
		{3 * time.Second, progressAt(102, 0), "tool: 102 files: 102 compiled, 0 skipped, 0 failed\n"},
	}
	for i, s := range steps {
		buf.Reset()
		clock.advance(s.advance)
		m.Update(s.p)
		if got := buf.String(); got != s.want {
			t.Errorf("step %d: printed %q, want %q", i, got, s.want)
		}
	}
	buf.Reset()
	m.Clear()
	m.Done()
	if buf.Len() != 0 {
		t.Errorf("Clear and Done printed %q without a terminal", buf.String())
	}
}

func TestProgressBar(t *testing.T) {
	m, buf, clock := newTestMeter(func() int { return 200 })
	bar := func(files int, hashes int) string {
		return "\rtool: [" + strings.Repeat("#", hashes) + strings.Repeat(".", 30-hashes) + "] " +
			(&ProgressMeter{}).describe(progressAt(files, 8)) + "\x1b[K"
	}
	steps := []struct {
		advance time.Duration
		files   int
		clear   bool
		want    string
	}{
		{0, 1, false, bar(1, 3)},
		{50 * time.Millisecond, 2, false, ""},         // throttled
		{60 * time.Millisecond, 3, false, bar(3, 11)}, // 110 ms since the last draw
		{10 * time.Millisecond, 4, true, bar(4, 15)},  // erased by a diagnostic: drawn at once
		{10 * time.Millisecond, 8, false, bar(8, 30)}, // the end is always drawn
	}
	for i, s := range steps {
		buf.Reset()
		if s.clear {
			m.Clear()
			if buf.String() != "\r\x1b[K" {
				t.Errorf("step %d: Clear printed %q", i, buf.String())
			}
			buf.Reset()
		}
		clock.advance(s.advance)
		m.Update(progressAt(s.files, 8))
		if got := buf.String(); got != s.want {
			t.Errorf("step %d: printed %q, want %q", i, got, s.want)
		}
	}
	buf.Reset()
	m.Done()
	if buf.String() != "\r\x1b[K" {
		t.Errorf("Done printed %q, want the bar erased", buf.String())
	}
	buf.Reset()
	m.Done()
	if buf.Len() != 0 {
		t.Errorf("a second Done printed %q", buf.String())
	}
}

// TestProgressFitsTerminal checks that the line drawn on a terminal never
// reaches its last column, whatever its width, and gives up detail in
// order: a shorter bar, no bar, the short counts, then a cut.
func TestProgressFitsTerminal(t *testing.T) {
	p := Progress{Summary: Summary{Files: 470, Compiled: 460, Failed: 10}, FilesTotal: 1000}
	const long = " 47% 470/1000 files: 460 compiled, 0 skipped, 10 failed"
	cases := []struct {
		columns int
		want    string // the line between "\r" and "\x1b[K"
	}{
		{0, "tool: [#######........] " + long}, // unknown: 80 columns assumed
		{200, "tool: [##############................] " + long},
		{80, "tool: [#######........] " + long}, // 79 columns used
		{75, "tool: [####......] " + long},      // the shortest bar
		{74, "tool: " + long},                   // no room for a bar
		{62, "tool: " + long},                   // 61 columns used
		{61, "tool:  47% 470/1000 10 failed"},   // the short counts
		{40, "tool: " + " 47% 470/1000 10 failed"},
		{25, " 47% 470/1000 10 failed"},
		{10, " 47% 470/"},
		{1, ""},
	}
	for _, c := range cases {
		m, buf, _ := newTestMeter(func() int { return c.columns })
		m.Update(p)
		got := strings.TrimSuffix(strings.TrimPrefix(buf.String(), "\r"), "\x1b[K")
		if got != c.want {
			t.Errorf("%d columns: drew\n%q, want\n%q", c.columns, got, c.want)
		}
		if cols := max(c.columns, 1); c.columns > 0 && len(got) > cols-1 {
			t.Errorf("%d columns: the line is %d columns wide", c.columns, len(got))
		}
	}
}
