package batch

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestSlug(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"iOS - Staff VPN (EAP-TLS)", "ios-staff-vpn-eap-tls"},
		{"../../etc/passwd", "etc-passwd"},
		{"/abs", "abs"},
		{`C:\Windows\System32`, "c-windows-system32"},
		{"..", "profile"},
		{"", "profile"},
		{"   ", "profile"},
		{"上海办公室", "profile"},
		{"VPN 上海 Office", "vpn-office"},
		{"VPN Zürich – Büro", "vpn-zurich-buro"},
		{"Straße Ærø Łódź", "strasse-aero-lodz"},
		{"Ελλάδα VPN", "vpn"},
		{"a\x00b\nc\td", "a-b-c-d"},
		{"--Leading and trailing--", "leading-and-trailing"},
		{"CON", "con"},
		{".hidden", "hidden"},
		{"emoji 🔒 vpn", "emoji-vpn"},
		{strings.Repeat("a", 300), strings.Repeat("a", 64)},
		{strings.Repeat("ab ", 100), strings.TrimSuffix(strings.Repeat("ab-", 22), "-")[:64]},
		{strings.Repeat("a", 63) + "ß", strings.Repeat("a", 63) + "s"},
		{strings.Repeat("a", 63) + " b", strings.Repeat("a", 63)},
	}
	for _, tt := range tests {
		if got := Slug(tt.in); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOutputName(t *testing.T) {
	tests := []struct {
		displayName, id, want string
	}{
		{"iOS - Staff VPN", "abc", "ios-staff-vpn-ba7816bf.mobileconfig"},
		{"", "abc", "profile-ba7816bf.mobileconfig"},
		{"Staff", "", "staff-e3b0c442.mobileconfig"},
		{"Staff", "x", "staff-2d711642.mobileconfig"},
		// The id is hashed, never used as is.
		{"x", "../../etc/passwd", "x-" + hash8("../../etc/passwd") + ".mobileconfig"},
	}
	for _, tt := range tests {
		if got := OutputName(tt.displayName, tt.id); got != tt.want {
			t.Errorf("OutputName(%q, %q) = %q, want %q", tt.displayName, tt.id, got, tt.want)
		}
	}
}

// TestOutputNameIsSafe checks hostile displayNames and ids: the name is one
// plain path element of bounded length, whatever the input.
func TestOutputNameIsSafe(t *testing.T) {
	safe := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*-[0-9a-f]{8}\.mobileconfig$`)
	hostile := []string{
		"", ".", "..", "../../etc/passwd", "/etc/passwd", `..\..\windows`, "a/b", "C:", "~root",
		"\x00", "name\n.mobileconfig", "ünïcödé", "😀", strings.Repeat("x/", 200), strings.Repeat("é", 300),
		"-rf", ".mobileconfig", "NUL", "a" + strings.Repeat(" ", 100) + "b",
	}
	for _, dn := range hostile {
		for _, id := range hostile {
			name := OutputName(dn, id)
			if !safe.MatchString(name) || filepath.Base(name) != name || filepath.IsAbs(name) || len(name) > 100 {
				t.Errorf("OutputName(%q, %q) = %q: not a safe file name", dn, id, name)
			}
		}
	}
}

func TestNamerDuplicates(t *testing.T) {
	n := newNamer()
	steps := []struct {
		displayName, id string
		want            string
		renamed         bool
	}{
		{"VPN", "1", "vpn-" + hash8("1") + ".mobileconfig", false},
		{"VPN", "2", "vpn-" + hash8("2") + ".mobileconfig", false},
		{"VPN", "1", "vpn-" + hash8("1") + "-2.mobileconfig", true},
		{"vpn!", "1", "vpn-" + hash8("1") + "-3.mobileconfig", true},
		{"VPN", "", "vpn-" + hash8("") + ".mobileconfig", false},
		{"VPN", "", "vpn-" + hash8("") + "-2.mobileconfig", true},
		{"", "", "profile-" + hash8("") + ".mobileconfig", false},
		{"上海", "", "profile-" + hash8("") + "-2.mobileconfig", true},
	}
	for i, s := range steps {
		got, renamed := n.name(s.displayName, s.id)
		if got != s.want || renamed != s.renamed {
			t.Errorf("step %d: name(%q, %q) = %q, %v; want %q, %v", i, s.displayName, s.id, got, renamed, s.want, s.renamed)
		}
	}
}
