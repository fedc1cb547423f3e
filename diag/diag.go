// Package diag defines the diagnostics that every stage of graph2mobileconfig
// reports: what happened to a setting, where it came from and how serious it is.
//
// A Diagnostic names the Graph JSON path of the setting it is about (for
// example "$.onDemandRules[1].action") and, where there is one, the Apple key
// path it maps to (for example "IKEv2.OnDemandRules[1].Action"). Messages are
// sentences written for an administrator, never for a developer, and never
// contain secret values.
package diag

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// Severity says how serious a diagnostic is.
type Severity int

// The severities, from least to most serious.
const (
	Info Severity = iota
	Warning
	Error
)

// String returns the lower-case name used in printed diagnostics.
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText writes the severity by name, so JSON output reads "warning".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name written by MarshalText.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "info":
		*s = Info
	case "warning":
		*s = Warning
	case "error":
		*s = Error
	default:
		return fmt.Errorf("diag: unknown severity %q (want info, warning or error)", b)
	}
	return nil
}

// Diagnostic is one finding about an input or an output.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	// Code is a short stable identifier of the kind of finding, such as
	// "unknown-property" or "ignored-setting", for filtering and tests.
	Code string `json:"code"`
	// Path is the Graph JSON path ("$.server.address"), or for lint findings
	// the location inside the profile; empty when the finding is about the
	// whole input.
	Path string `json:"path,omitempty"`
	// Key is the Apple key path the finding concerns ("IKEv2.MTU"), if any.
	Key string `json:"key,omitempty"`
	// Message is a complete sentence for a human.
	Message string `json:"message"`
}

// String formats the diagnostic as printed on stderr:
// "warning: $.mtuSizeInBytes: message".
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Severity.String())
	b.WriteString(": ")
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	if d.Key != "" && !strings.Contains(d.Message, d.Key) {
		b.WriteString(" [")
		b.WriteString(d.Key)
		b.WriteString("]")
	}
	return b.String()
}

// List is an ordered collection of diagnostics.
type List []Diagnostic

// Add appends a diagnostic built from its parts.
func (l *List) Add(sev Severity, code, path, key, format string, args ...any) {
	*l = append(*l, Diagnostic{Severity: sev, Code: code, Path: path, Key: key, Message: fmt.Sprintf(format, args...)})
}

// Errorf appends an error.
func (l *List) Errorf(code, path, format string, args ...any) {
	l.Add(Error, code, path, "", format, args...)
}

// Warnf appends a warning.
func (l *List) Warnf(code, path, format string, args ...any) {
	l.Add(Warning, code, path, "", format, args...)
}

// Infof appends an informational note.
func (l *List) Infof(code, path, format string, args ...any) {
	l.Add(Info, code, path, "", format, args...)
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool { return l.Count(Error) > 0 }

// Count returns how many diagnostics have the given severity.
func (l List) Count(sev Severity) int {
	n := 0
	for _, d := range l {
		if d.Severity == sev {
			n++
		}
	}
	return n
}

// Errors returns only the error diagnostics.
func (l List) Errors() List { return l.filter(Error) }

func (l List) filter(sev Severity) List {
	var out List
	for _, d := range l {
		if d.Severity == sev {
			out = append(out, d)
		}
	}
	return out
}

// Promote returns a copy in which every warning is an error; used by --strict.
func (l List) Promote() List {
	out := make(List, len(l))
	for i, d := range l {
		if d.Severity == Warning {
			d.Severity = Error
			d.Message += " (an error because of --strict)"
		}
		out[i] = d
	}
	return out
}

// Sorted returns a copy ordered by path, then severity (errors first), then
// code, so that output is stable whatever order the checks ran in.
func (l List) Sorted() List {
	out := slices.Clone(l)
	out.Sort()
	return out
}

// Sort orders the list in place, as Sorted does.
func (l List) Sort() {
	cmp := func(a, b *Diagnostic) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		if a.Severity != b.Severity {
			return int(b.Severity) - int(a.Severity)
		}
		return strings.Compare(a.Code, b.Code)
	}
	sorted := true
	for i := 1; i < len(l) && sorted; i++ {
		sorted = cmp(&l[i-1], &l[i]) <= 0
	}
	if sorted {
		return
	}
	// Sort indices, not the diagnostics themselves: moving the large
	// structs around costs more than comparing them.
	// Ties keep their order (the index breaks them), as a stable sort
	// would, at the cost of an unstable one.
	var onStack [64]int
	idx := onStack[:0]
	for i := range l {
		idx = append(idx, i)
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp(&l[a], &l[b]); c != 0 {
			return c
		}
		return a - b
	})
	orig := slices.Clone(l)
	for i, j := range idx {
		l[i] = orig[j]
	}
}

// Error makes a List usable as an error: it lists the error diagnostics.
func (l List) Error() string {
	errs := l.Errors()
	if len(errs) == 0 {
		return "no errors"
	}
	parts := make([]string, len(errs))
	for i, d := range errs {
		parts[i] = d.String()
	}
	return strings.Join(parts, "\n")
}

// MarshalJSON writes an empty list as [] rather than null.
func (l List) MarshalJSON() ([]byte, error) { return l.AppendJSON(nil), nil }

// AppendJSON appends the list as MarshalJSON writes it: a JSON array of
// the diagnostics, [] when empty. It writes the members by hand, without
// reflection, since a batch report holds one list per profile.
func (l List) AppendJSON(buf []byte) []byte {
	buf = append(buf, '[')
	for i := range l {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = l[i].AppendJSON(buf)
	}
	return append(buf, ']')
}

// AppendJSON appends the diagnostic as a JSON object with the members (and
// omissions) its struct tags say: what encoding/json reads back into it.
func (d *Diagnostic) AppendJSON(buf []byte) []byte {
	buf = append(buf, `{"severity":`...)
	buf = AppendJSONString(buf, d.Severity.String())
	buf = append(buf, `,"code":`...)
	buf = AppendJSONString(buf, d.Code)
	if d.Path != "" {
		buf = append(buf, `,"path":`...)
		buf = AppendJSONString(buf, d.Path)
	}
	if d.Key != "" {
		buf = append(buf, `,"key":`...)
		buf = AppendJSONString(buf, d.Key)
	}
	buf = append(buf, `,"message":`...)
	buf = AppendJSONString(buf, d.Message)
	return append(buf, '}')
}

// AppendJSONString appends s as a JSON string (jsontext's quoting: invalid
// UTF-8 becomes U+FFFD, as encoding/json does).
func AppendJSONString(buf []byte, s string) []byte {
	out, _ := jsontext.AppendQuote(buf, s) // an error only reports invalid UTF-8, already replaced
	return out
}

// DefaultMax is the number of diagnostics kept for one input (one entity)
// before the rest are only counted: enough for any real export, and a bound
// on what a hostile input can make the tool hold and print.
const DefaultMax = 200

// Capped collects diagnostics up to Max and counts the rest, so that the
// memory and output spent on the findings of one input stay bounded however
// many problems it has. The zero value keeps DefaultMax.
type Capped struct {
	// Max is the number of diagnostics kept; DefaultMax when zero.
	Max     int
	list    List
	dropped [Error + 1]int
}

// Add keeps a diagnostic built from its parts, or counts it when Max are
// kept already; the message is not formatted then.
func (c *Capped) Add(sev Severity, code, path, key, format string, args ...any) {
	if len(c.list) >= c.max() {
		if sev >= Info && sev <= Error {
			c.dropped[sev]++
		}
		return
	}
	c.list.Add(sev, code, path, key, format, args...)
}

// AddList keeps the diagnostics of l, or counts those beyond Max.
func (c *Capped) AddList(l List) {
	for _, d := range l {
		if len(c.list) >= c.max() {
			if d.Severity >= Info && d.Severity <= Error {
				c.dropped[d.Severity]++
			}
			continue
		}
		c.list = append(c.list, d)
	}
}

// Note keeps a diagnostic whose message is already written, or counts it.
func (c *Capped) Note(sev Severity, code, path, message string) {
	if len(c.list) >= c.max() {
		if sev >= Info && sev <= Error {
			c.dropped[sev]++
		}
		return
	}
	c.list = append(c.list, Diagnostic{Severity: sev, Code: code, Path: path, Message: message})
}

func (c *Capped) max() int {
	if c.Max <= 0 {
		return DefaultMax
	}
	return c.Max
}

// Errorf keeps an error.
func (c *Capped) Errorf(code, path, format string, args ...any) {
	c.Add(Error, code, path, "", format, args...)
}

// Warnf keeps a warning.
func (c *Capped) Warnf(code, path, format string, args ...any) {
	c.Add(Warning, code, path, "", format, args...)
}

// Infof keeps an informational note.
func (c *Capped) Infof(code, path, format string, args ...any) {
	c.Add(Info, code, path, "", format, args...)
}

// Len returns the number of diagnostics kept.
func (c *Capped) Len() int { return len(c.list) }

// List returns the diagnostics kept and, when some were only counted, one
// more that says how many, with the severity of the most serious of them
// (so that an input whose errors were not listed still fails).
func (c *Capped) List() List {
	n := c.dropped[Info] + c.dropped[Warning] + c.dropped[Error]
	if n == 0 {
		return c.list
	}
	sev := Info
	for s := Warning; s <= Error; s++ {
		if c.dropped[s] > 0 {
			sev = s
		}
	}
	out := append(c.list, Diagnostic{Severity: sev, Code: "more-diagnostics", Message: fmt.Sprintf(
		"and %d more (%d %s, %d %s, %d %s) not listed: at most %d diagnostics are kept per input; fix the ones above first",
		n, c.dropped[Error], plural(c.dropped[Error], "error", "errors"), c.dropped[Warning], plural(c.dropped[Warning], "warning", "warnings"),
		c.dropped[Info], plural(c.dropped[Info], "note", "notes"), c.max())})
	c.list, c.dropped = nil, [Error + 1]int{}
	return out
}

// Cap returns the list cut to max diagnostics (DefaultMax when max is
// zero), with the rest counted in one last diagnostic as Capped does.
func (l List) Cap(max int) List {
	c := Capped{Max: max}
	if len(l) <= c.max() {
		return l
	}
	for _, d := range l {
		if len(c.list) >= c.max() && d.Severity >= Info && d.Severity <= Error {
			c.dropped[d.Severity]++
			continue
		}
		c.list = append(c.list, d)
	}
	return c.List()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
