package strongswan

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// confWriter writes the strongswan.conf/swanctl.conf syntax: nested
// sections, "key = value" lines and comments, indented with tabs.
type confWriter struct {
	b     strings.Builder
	depth int
}

func (w *confWriter) indent() { w.b.WriteString(strings.Repeat("\t", w.depth)) }

// comment writes each line of text as a comment; an empty text writes "#".
func (w *confWriter) comment(format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	for _, line := range strings.Split(text, "\n") {
		w.indent()
		if line == "" {
			w.b.WriteString("#\n")
			continue
		}
		w.b.WriteString("# " + line + "\n")
	}
}

func (w *confWriter) blank() { w.b.WriteString("\n") }

func (w *confWriter) open(name string) {
	w.indent()
	w.b.WriteString(name + " {\n")
	w.depth++
}

func (w *confWriter) close() {
	w.depth--
	w.indent()
	w.b.WriteString("}\n")
}

// kv writes key = value, quoting the value when it is not a plain token.
func (w *confWriter) kv(key, value string) {
	w.indent()
	w.b.WriteString(key + " = " + confValue(value) + "\n")
}

// kvComment writes key = value followed by a comment on the same line.
func (w *confWriter) kvComment(key, value, comment string) {
	w.indent()
	w.b.WriteString(key + " = " + confValue(value) + " # " + comment + "\n")
}

func (w *confWriter) String() string { return w.b.String() }

// plainValue matches values written without quotes: tokens, and lists of
// tokens separated by ", ".
var plainValue = regexp.MustCompile(`^[A-Za-z0-9._:/@%*+-]+(, [A-Za-z0-9._:/@%*+-]+)*$`)

// confValue quotes a value unless it is a plain token or list of tokens.
// Quoted strings escape backslashes, double quotes and line breaks.
func confValue(v string) string {
	if plainValue.MatchString(v) {
		return v
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(v) + `"`
}

// secretValue writes a shared secret so that strongSwan takes its bytes as
// they are: as a quoted string, or in hex when strongSwan would otherwise
// read it as hex (0x...) or base64 (0s...), or when it is not printable
// text.
func secretValue(s []byte) string {
	text := string(s)
	lower := strings.ToLower(text)
	printable := true
	for _, r := range text {
		if r < 0x20 || r == 0x7f {
			printable = false
		}
	}
	if !printable || strings.HasPrefix(lower, "0x") || strings.HasPrefix(lower, "0s") {
		return "0x" + hex.EncodeToString(s)
	}
	return confValue(text)
}

// duration formats a time in strongSwan's syntax (s, m, h suffixes).
func duration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// connectionName derives a swanctl connection name from a VPN's name:
// lower case letters, digits and dashes.
func connectionName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > 40 {
		s = strings.TrimSuffix(s[:40], "-")
	}
	if s == "" {
		return "ios-ikev2"
	}
	return s
}
