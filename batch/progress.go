package batch

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Redraw intervals of a ProgressMeter.
const (
	// barInterval throttles the terminal bar to 10 redraws a second.
	barInterval = 100 * time.Millisecond
	// lineInterval is the longest wait between two plain progress lines;
	// a line is also printed at every further 10% of the files.
	lineInterval = 2 * time.Second
)

// ProgressMeter shows the progress of a batch on a terminal as one line
// redrawn in place with carriage returns, fitted to the terminal's width,
// and elsewhere (a log file, a CI job) as plain lines, one every 2 seconds
// or every 10% of the files, whichever comes first. Feed it
// Options.OnProgress; it is not safe for concurrent use, which the
// callbacks of Run never need.
type ProgressMeter struct {
	w      io.Writer
	prefix string
	// width returns the terminal's width in columns, asked at each redraw
	// since the terminal may be resized; nil when w is not a terminal.
	width func() int
	// Now returns the current time; tests replace it.
	Now func() time.Time

	started   bool
	last      time.Time
	lastTenth int
	shown     bool // a bar is on the terminal's last line
	latest    Progress
}

// NewProgressMeter returns a meter writing to w, whose lines start with
// prefix ("graph2mobileconfig: "). width is nil when w is not a terminal
// (plain lines are printed then); on a terminal it returns the number of
// columns, or 0 when that is unknown (80 is assumed).
func NewProgressMeter(w io.Writer, prefix string, width func() int) *ProgressMeter {
	return &ProgressMeter{w: w, prefix: prefix, width: width, Now: time.Now}
}

// Update records the latest totals and redraws when it is time to.
func (m *ProgressMeter) Update(p Progress) {
	now := m.Now()
	m.latest = p
	if !m.started {
		m.started, m.last = true, now
	}
	if m.width != nil {
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

// Widths of the bar, in columns, between its brackets.
const (
	maxBarWidth = 30
	minBarWidth = 10
	// defaultColumns is assumed when the terminal's width is unknown.
	defaultColumns = 80
)

func (m *ProgressMeter) draw() {
	fmt.Fprintf(m.w, "\r%s\x1b[K", m.fit(m.latest))
	m.shown = true
}

// fit is the progress line that fits the terminal: the prefix, a bar and
// the counts, then, as the terminal narrows, a shorter bar, no bar, the
// short counts, and at last the short counts cut to the width. The last
// column is left free: writing into it makes some terminals wrap.
func (m *ProgressMeter) fit(p Progress) string {
	cols := m.width()
	if cols <= 0 {
		cols = defaultColumns
	}
	room := cols - 1
	long, short := m.describe(p), shortDescribe(p)
	if p.FilesTotal > 0 {
		// "[" + bar + "] " around the bar.
		if w := min(maxBarWidth, room-width(m.prefix)-width(long)-3); w >= minBarWidth {
			return m.prefix + bar(p, w) + " " + long
		}
	}
	for _, line := range []string{m.prefix + long, m.prefix + short, short} {
		if width(line) <= room {
			return line
		}
	}
	return string([]rune(short)[:max(room, 0)])
}

// bar draws the files done as a bar w columns wide between brackets.
func bar(p Progress, w int) string {
	filled := min(w, p.Files*w/p.FilesTotal)
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", w-filled) + "]"
}

// shortDescribe is the progress in a few columns: " 47% 470/1000 2 failed".
func shortDescribe(p Progress) string {
	var b strings.Builder
	if p.FilesTotal > 0 {
		fmt.Fprintf(&b, "%3d%% %d/%d", p.Files*100/p.FilesTotal, p.Files, p.FilesTotal)
	} else {
		fmt.Fprintf(&b, "%d files", p.Files)
	}
	if p.Failed > 0 {
		fmt.Fprintf(&b, " %d failed", p.Failed)
	}
	return b.String()
}

// width is the number of columns s takes: its runes (the text is ASCII
// but for the prefix, which holds no wide characters).
func width(s string) int { return utf8.RuneCountInString(s) }
