package batch

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Redraw intervals of a ProgressMeter.
const (
	// barInterval throttles the terminal bar to 10 redraws a second.
	barInterval = 100 * time.Millisecond
	// lineInterval is the longest wait between two plain progress lines;
	// a line is also printed at every further 10% of the files.
	lineInterval = 2 * time.Second
)

// ProgressMeter shows the progress of a batch on a terminal as a bar redrawn
// in place with carriage returns, and elsewhere (a log file, a CI job) as
// plain lines, one every 2 seconds or every 10% of the files, whichever
// comes first. Feed it Options.OnProgress; it is not safe for concurrent
// use, which the callbacks of Run never need.
type ProgressMeter struct {
	w        io.Writer
	terminal bool
	prefix   string
	// Now returns the current time; tests replace it.
	Now func() time.Time

	started   bool
	last      time.Time
	lastTenth int
	shown     bool // a bar is on the terminal's last line
	latest    Progress
}

// NewProgressMeter returns a meter writing to w; terminal selects the bar,
// and prefix starts every plain line and the bar ("graph2mobileconfig: ").
func NewProgressMeter(w io.Writer, terminal bool, prefix string) *ProgressMeter {
	return &ProgressMeter{w: w, terminal: terminal, prefix: prefix, Now: time.Now}
}

// Update records the latest totals and redraws when it is time to.
func (m *ProgressMeter) Update(p Progress) {
	now := m.Now()
	m.latest = p
	if !m.started {
		m.started, m.last = true, now
	}
	if m.terminal {
		// Redraw at most 10 times a second, but at once when a diagnostic
		// line has just erased the bar, and always at the end.
		done := p.FilesTotal > 0 && p.Files == p.FilesTotal
		if !m.shown || now.Sub(m.last) >= barInterval || done {
			m.last = now
			m.draw()
		}
		return
	}
	tenth := m.tenth(p)
	if now.Sub(m.last) >= lineInterval || tenth > m.lastTenth {
		m.last, m.lastTenth = now, tenth
		fmt.Fprintf(m.w, "%s%s\n", m.prefix, m.describe(p))
	}
}

// Clear erases the bar, so that a diagnostic can be printed on a line of its
// own; the next Update draws it again.
func (m *ProgressMeter) Clear() {
	if m.shown {
		io.WriteString(m.w, "\r\x1b[K")
		m.shown = false
	}
}

// Done erases the bar for good.
func (m *ProgressMeter) Done() { m.Clear() }

func (m *ProgressMeter) tenth(p Progress) int {
	if p.FilesTotal <= 0 {
		return 0
	}
	return p.Files * 10 / p.FilesTotal
}

func (m *ProgressMeter) describe(p Progress) string {
	var b strings.Builder
	if p.FilesTotal > 0 {
		fmt.Fprintf(&b, "%3d%% ", p.Files*100/p.FilesTotal)
		fmt.Fprintf(&b, "%d/%d files", p.Files, p.FilesTotal)
	} else {
		fmt.Fprintf(&b, "%d %s", p.Files, plural(p.Files, "file", "files"))
	}
	fmt.Fprintf(&b, ": %d compiled, %d skipped, %d failed", p.Compiled, p.Skipped, p.Failed)
	return b.String()
}

func (m *ProgressMeter) draw() {
	const width = 24
	p := m.latest
	bar := ""
	if p.FilesTotal > 0 {
		filled := min(width, p.Files*width/p.FilesTotal)
		bar = "[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "] "
	}
	fmt.Fprintf(m.w, "\r%s%s%s\x1b[K", m.prefix, bar, m.describe(p))
	m.shown = true
}
