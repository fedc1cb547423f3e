// Package diag defines the diagnostics that every stage of graph2mobileconfig
// reports: what happened to a setting, where it came from and how serious it is.
//
// A Diagnostic names the Graph JSON path of the setting it is about (for
// example "$.onDemandRules[1].action") and, where there is one, the Apple key
// path it maps to (for example "IKEv2.OnDemandRules[1].Action"). Messages are
// sentences written for an administrator, never for a developer, and never
// contain secret values.
//
// # Hints
//
// A finding whose remedy lies with the program that runs the compiler,
// rather than in the input, carries a Hint: a stable code (HintVar,
// HintIdentity, …), the value it concerns (a variable's name) and the
// remedy in the Go API's terms ("set compiler.Options.Vars[\"deviceid\"]").
// Messages never name an option of any program themselves, so a program
// with its own names for its options (the graph2mobileconfig command names
// its flags) rewrites only the hints, from their codes: see List.WithHints.
//
// A List is not an error: a compilation that fails returns the list of its
// findings and an error of its own.
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
	// Message is a complete sentence for a human. It names no option of
	// the program that runs the compiler: that is the Hint's part.
	Message string `json:"message"`
	// Hint, when its Code is set, is the remedy that lies in the options of
	// the program that runs the compiler; String prints it after Message.
	Hint Hint `json:"hint,omitzero"`
}

// Hint is a remedy that lies with the program that runs the compiler (an
// option it passes, such as a variable's value or a client identity), not
// in the input.
type Hint struct {
	// Code identifies the remedy, stable across releases: one of the Hint
	// constants. A program that names its options differently maps it to
	// its own words.
	Code string `json:"code"`
	// Arg is the value the remedy concerns, such as the name of the
	// variable to give; empty for most codes.
	Arg string `json:"arg,omitempty"`
	// Text is the remedy as the end of a sentence, in the terms of
	// graph2mobileconfig's Go API ("set compiler.Options.Vars[\"deviceid\"]"),
	// or in the caller's own once rewritten (see List.WithHints).
	Text string `json:"text"`
}

// The hint codes. Each names one remedy; the text for a Go program is
// written where the finding is made.
const (
	// HintVar: give the variable Arg a value (compiler.Options.Vars).
	HintVar = "var"
	// HintVars: give the variables the finding names values.
	HintVars = "vars"
	// HintMDMVariable: the variable Arg is left for the MDM; graph2mobileconfig's
	// own delivery sends it as it is, and a value fills it now.
	HintMDMVariable = "mdm-variable"
	// HintMDMDelivery: graph2mobileconfig's own delivery sends such a
	// profile as it is.
	HintMDMDelivery = "mdm-delivery"
	// HintIdentity: give the client identity, or reference the identity
	// payload the MDM delivers (compiler.Options.Identity, IdentityUUID).
	HintIdentity = "identity"
	// HintIdentityOrExport: as HintIdentity, or give the export of the
	// SCEP profile the VPN links as its identity.
	HintIdentityOrExport = "identity-or-export"
	// HintIdentityOrSCEP: a PKCS certificate profile cannot be compiled:
	// give the identity, enroll it with a SCEP profile's export, or
	// reference the MDM's ACME payload.
	HintIdentityOrSCEP = "identity-or-scep"
	// HintECDSAIdentity: give an ECDSA client identity, or reference the
	// MDM's ACME payload.
	HintECDSAIdentity = "ecdsa-identity"
	// HintOneIdentityExport: give only the certificate profile export the
	// VPN links as its identity.
	HintOneIdentityExport = "one-identity-export"
	// HintRoot: give the trusted root certificate export, or the CA
	// certificate to embed.
	HintRoot = "root"
	// HintLinkedIdentity: a relationship links the VPN's identity
	// certificate profile: give that profile's export, or the identity.
	HintLinkedIdentity = "linked-identity"
	// HintLinkedRoot: a relationship links a trusted root certificate
	// profile: give that profile's export.
	HintLinkedRoot = "linked-root"
	// HintVPNAsExport: an IKEv2 VPN configuration was given as a
	// certificate export; it is the input to compile.
	HintVPNAsExport = "vpn-as-export"
	// HintSCEPChallenge: give the SCEP challenge, or the name of the MDM
	// variable that fills it per device.
	HintSCEPChallenge = "scep-challenge"
	// HintTarget: name the target devices, against which the rule is then
	// checked.
	HintTarget = "target"
	// HintAllowedTarget: choose a target that the applicability rule allows.
	HintAllowedTarget = "allowed-target"
	// HintOlderTarget: an older target accepts the value, if every device
	// runs an older iOS.
	HintOlderTarget = "older-target"
	// HintNewerTarget: the target iOS Arg and later accept the value, if
	// every device runs one of them.
	HintNewerTarget = "newer-target"
	// HintNoStrictAlgorithms: compile without strict algorithm selection.
	HintNoStrictAlgorithms = "no-strict-algorithms"
	// HintSignEncrypt: sign the profile and encrypt it to the device.
	HintSignEncrypt = "sign-encrypt"
	// HintMaxInputSize: the size limit of one input file.
	HintMaxInputSize = "max-input-size"
	// HintBatch: the input holds several configurations, which a batch
	// compiles together.
	HintBatch = "batch"
)

// HintCodes returns every hint code, for a program that maps them all to
// its own words (and a test that checks it does).
func HintCodes() []string {
	return []string{
		HintVar, HintVars, HintMDMVariable, HintMDMDelivery, HintIdentity, HintIdentityOrExport,
		HintIdentityOrSCEP, HintECDSAIdentity, HintOneIdentityExport, HintRoot, HintLinkedIdentity,
		HintLinkedRoot, HintVPNAsExport, HintSCEPChallenge, HintTarget, HintAllowedTarget,
		HintOlderTarget, HintNewerTarget, HintNoStrictAlgorithms, HintSignEncrypt, HintMaxInputSize, HintBatch,
	}
}

// HintFunc returns a hint's text in the caller's own terms, or "" to keep
// the Go API's text (h.Text).
type HintFunc func(h Hint) string

// WithHints returns the list with the text of every hint rewritten by f
// (those for which f returns "" keep theirs). The list itself is not
// changed; a nil f returns it as it is.
func (l List) WithHints(f HintFunc) List {
	if f == nil {
		return l
	}
	var out List
	for i := range l {
		if l[i].Hint.Code == "" {
			continue
		}
		text := f(l[i].Hint)
		if text == "" || text == l[i].Hint.Text {
			continue
		}
		if out == nil {
			out = slices.Clone(l)
		}
		out[i].Hint.Text = text
	}
	if out == nil {
		return l
	}
	return out
}

// String formats the diagnostic as printed on stderr:
// "warning: $.mtuSizeInBytes: message; hint [Key]" (", or hint" for a
// hint that starts with "or").
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Severity.String())
	b.WriteString(": ")
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	if d.Hint.Text != "" {
		// A hint that offers an alternative to the message's own
		// remedy ("or ...") continues its sentence.
		if strings.HasPrefix(d.Hint.Text, "or ") {
			b.WriteString(", ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(d.Hint.Text)
	}
	if d.Key != "" && !strings.Contains(d.Message, d.Key) && !strings.Contains(d.Hint.Text, d.Key) {
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

// AddHinted appends a diagnostic with a hint.
func (l *List) AddHinted(sev Severity, code, path, key string, hint Hint, format string, args ...any) {
	*l = append(*l, Diagnostic{Severity: sev, Code: code, Path: path, Key: key, Message: fmt.Sprintf(format, args...), Hint: hint})
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

// StrictNote ends the message of a warning that Promote made an error.
const StrictNote = " (an error in strict mode)"

// Promote returns a copy in which every warning is an error, its message
// ending in StrictNote: the strict mode of the compiler.
func (l List) Promote() List {
	out := make(List, len(l))
	for i, d := range l {
		if d.Severity == Warning {
			d.Severity = Error
			d.Message += StrictNote
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

// String prints the list one diagnostic a line, as the command line does.
func (l List) String() string {
	var b strings.Builder
	for i, d := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
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
	if d.Hint != (Hint{}) {
		buf = append(buf, `,"hint":{"code":`...)
		buf = AppendJSONString(buf, d.Hint.Code)
		if d.Hint.Arg != "" {
			buf = append(buf, `,"arg":`...)
			buf = AppendJSONString(buf, d.Hint.Arg)
		}
		buf = append(buf, `,"text":`...)
		buf = AppendJSONString(buf, d.Hint.Text)
		buf = append(buf, '}')
	}
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

// AddHinted keeps a diagnostic with a hint, or counts it, as Add does.
func (c *Capped) AddHinted(sev Severity, code, path, key string, hint Hint, format string, args ...any) {
	if len(c.list) >= c.max() {
		if sev >= Info && sev <= Error {
			c.dropped[sev]++
		}
		return
	}
	c.list.AddHinted(sev, code, path, key, hint, format, args...)
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
