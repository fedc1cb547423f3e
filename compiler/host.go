package compiler

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// hostAddress is a server or proxy address as an admin typed it, taken
// apart: Apple's keys want a bare host name or IP address.
type hostAddress struct {
	// host is the host name (in ASCII) or IP address, without brackets.
	host string
	// port is the port the address carried, "" when none.
	port string
	// url is set when the address was a URL; scheme is its scheme.
	url    bool
	scheme string
	// unwrapped is set when brackets around an IPv6 address were removed.
	unwrapped bool
	// unicode is the host as typed, when it was converted from an
	// internationalised name to its ASCII form; empty otherwise.
	unicode string
}

// parseHostAddress reads a host name or IP address, and also accepts what
// admins paste instead: a URL, a host with a port, an IPv6 address in
// brackets, an internationalised domain name. It refuses lists and anything
// that is not a valid host name or IP literal. {{tokens}} left for the MDM
// are checked as if they were one letter.
func parseHostAddress(s string) (hostAddress, error) {
	var a hostAddress
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return a, fmt.Errorf("it is empty")
	case strings.ContainsAny(s, ",;"):
		return a, fmt.Errorf("%q is a list; the key takes one host name or IP address", s)
	case strings.ContainsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }):
		return a, fmt.Errorf("%q is not a host name or IP address (it holds white space)", s)
	}
	host := s
	switch {
	case strings.Contains(s, "://"):
		u, err := url.Parse(s)
		if err != nil || u.Hostname() == "" {
			return a, fmt.Errorf("%q is not a host name or IP address, nor a URL with one", s)
		}
		a.url, a.scheme = true, strings.ToLower(u.Scheme)
		host, a.port = u.Hostname(), u.Port()
		a.unwrapped = strings.HasPrefix(u.Host, "[")
	case strings.HasPrefix(s, "["):
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			if !strings.HasSuffix(s, "]") {
				return a, fmt.Errorf("%q is not an IPv6 address in brackets, such as [2001:db8::1]", s)
			}
			h = s[1 : len(s)-1]
		}
		host, a.port, a.unwrapped = h, p, true
		if net.ParseIP(host) == nil || !strings.Contains(host, ":") {
			return a, fmt.Errorf("%q: only an IPv6 address goes in brackets", s)
		}
	case strings.Count(s, ":") == 1:
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			return a, fmt.Errorf("%q is not a host name or IP address", s)
		}
		host, a.port = h, p
	}
	if a.port != "" {
		if n, err := strconv.Atoi(a.port); err != nil || n < 1 || n > 65535 {
			return a, fmt.Errorf("%q carries the port %q, which is not a port number (1 to 65535)", s, a.port)
		}
	}
	if ip := net.ParseIP(host); ip != nil {
		a.host = host
		return a, nil
	}
	if strings.Contains(host, ":") {
		return a, fmt.Errorf("%q is not a host name or IP address", s)
	}
	checked := host
	if hasToken(host) {
		checked = tokenPattern.ReplaceAllString(host, "x")
	} else if !isASCII(host) {
		ascii, err := idna.Lookup.ToASCII(host)
		if err != nil {
			return a, fmt.Errorf("%q is not a valid internationalised host name: %v", s, err)
		}
		a.unicode, host, checked = host, ascii, ascii
	}
	if err := checkHostName(checked); err != nil {
		return a, fmt.Errorf("%q is not a host name or IP address: %v", s, err)
	}
	a.host = host
	return a, nil
}

// checkHostName applies RFC 1123: labels of letters, digits and hyphens, 1
// to 63 characters, not starting or ending with a hyphen, at most 253
// characters in all, and a last label that is not all digits (which would
// make a mistyped IPv4 address a name). A final dot is allowed.
func checkHostName(h string) error {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return fmt.Errorf("a host name has 1 to 253 characters")
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		switch {
		case l == "":
			return fmt.Errorf("it has an empty label (two dots in a row)")
		case len(l) > 63:
			return fmt.Errorf("the label %q is longer than 63 characters", l)
		case l[0] == '-' || l[len(l)-1] == '-':
			return fmt.Errorf("the label %q starts or ends with a hyphen", l)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("%q is not allowed in a host name (letters, digits, hyphens and dots)", string(rune(c)))
			}
		}
	}
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		return fmt.Errorf("it is neither an IP address nor a host name (its last label %q is all digits)", last)
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
