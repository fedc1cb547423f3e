package strongswan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultStrongswanConf is where a system charon reads its settings.
const DefaultStrongswanConf = "/etc/strongswan.conf"

// RoutePolicy says whether a running charon installs routes for the
// CHILD_SAs it negotiates, and how that is known.
type RoutePolicy struct {
	Installs bool `json:"installsRoutes"`
	// Because says where the answer comes from: the setting and the file,
	// or strongSwan's default.
	Because string `json:"because"`
}

// ReadRoutePolicy reads charon's install_routes setting from a
// strongswan.conf (following its include statements), for the daemon
// name VICI reports ("charon-systemd" falls back to "charon" like the
// daemon does). VICI has no command that reports the setting itself.
func ReadRoutePolicy(confPath, daemon string) (RoutePolicy, error) {
	settings := map[string]string{}
	if err := readSettings(confPath, settings, 0); err != nil {
		return RoutePolicy{Installs: true, Because: "the settings cannot be read, so routes are assumed to be installed"}, err
	}
	keys := []string{"charon.install_routes"}
	if daemon != "" && daemon != "charon" {
		keys = append([]string{daemon + ".install_routes"}, keys...)
	}
	for _, k := range keys {
		if v, ok := settings[k]; ok {
			on := parseBool(v)
			return RoutePolicy{Installs: on, Because: fmt.Sprintf("%s = %s in %s (or a file it includes)", k, v, confPath)}, nil
		}
	}
	return RoutePolicy{Installs: true, Because: fmt.Sprintf("charon.install_routes is not set in %s, and strongSwan's default is yes", confPath)}, nil
}

func parseBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "true", "enabled", "1":
		return true
	}
	return false
}

// readSettings parses one strongswan.conf file into dotted keys.
func readSettings(path string, into map[string]string, depth int) error {
	if depth > 10 {
		return fmt.Errorf("%s: includes nest more than 10 deep", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	toks := tokenizeSettings(string(data))
	var stack []string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.kind == tokNewline:
		case t.kind == tokClose:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case t.kind == tokWord && t.text == "include" && i+1 < len(toks) && toks[i+1].kind == tokWord:
			pattern := toks[i+1].text
			if !filepath.IsAbs(pattern) {
				pattern = filepath.Join(filepath.Dir(path), pattern)
			}
			matches, _ := filepath.Glob(pattern)
			for _, m := range matches {
				// Included settings land in the section of the include.
				sub := map[string]string{}
				if err := readSettings(m, sub, depth+1); err != nil {
					return err
				}
				for k, v := range sub {
					into[join(stack, k)] = v
				}
			}
			i++
		case t.kind == tokWord && i+1 < len(toks) && toks[i+1].kind == tokOpen:
			stack = append(stack, t.text)
			i++
		case t.kind == tokWord && i+1 < len(toks) && toks[i+1].kind == tokEquals:
			var value []string
			j := i + 2
			for ; j < len(toks) && toks[j].kind == tokWord; j++ {
				value = append(value, toks[j].text)
			}
			into[join(stack, t.text)] = strings.Join(value, " ")
			i = j - 1
		}
	}
	return nil
}

func join(stack []string, key string) string {
	if len(stack) == 0 {
		return key
	}
	return strings.Join(stack, ".") + "." + key
}

type tokKind int

const (
	tokWord tokKind = iota
	tokOpen
	tokClose
	tokEquals
	tokNewline
)

type settingsToken struct {
	kind tokKind
	text string
}

// tokenizeSettings splits strongswan.conf text into words, braces, equals
// signs and line ends; comments are dropped and quoted strings unquoted.
func tokenizeSettings(s string) []settingsToken {
	var out []settingsToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '\n':
			out = append(out, settingsToken{kind: tokNewline})
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '{':
			out = append(out, settingsToken{kind: tokOpen})
			i++
		case c == '}':
			out = append(out, settingsToken{kind: tokClose})
			i++
		case c == '=':
			out = append(out, settingsToken{kind: tokEquals})
			i++
		case c == '"':
			var b strings.Builder
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
				i++
			}
			i++
			out = append(out, settingsToken{kind: tokWord, text: b.String()})
		default:
			start := i
			for i < len(s) && !strings.ContainsRune(" \t\r\n{}=#\"", rune(s[i])) {
				i++
			}
			out = append(out, settingsToken{kind: tokWord, text: s[start:i]})
		}
	}
	return out
}
