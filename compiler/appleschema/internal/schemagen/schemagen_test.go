package schemagen

import (
	"strings"
	"testing"
	"testing/fstest"
)

const head = `title: T
payload:
  payloadtype: com.example.test
  supportedOS:
    iOS:
      introduced: '5.0'
      multiple: true
payloadkeys:
`

// testRelease is a valid RELEASE file for tests that are not about it.
const testRelease = "commit 0123456789abcdef0123456789abcdef01234567\nios 16.0\nseed false\nnewest-released 16.0\n"

// gen runs Generate over the files, adding the RELEASE file unless the
// test gives its own (an empty text leaves it out).
func gen(t *testing.T, files map[string]string) (string, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	if _, ok := files[ReleaseFile]; !ok {
		fsys[ReleaseFile] = &fstest.MapFile{Data: []byte(testRelease)}
	}
	for name, data := range files {
		if data != "" {
			fsys[name] = &fstest.MapFile{Data: []byte(data)}
		}
	}
	src, err := Generate(fsys)
	return string(src), err
}

func TestGenerate(t *testing.T) {
	src, err := gen(t, map[string]string{
		"README.md": "not read",
		"test.yaml": head + `- key: Flag
  title: prose that must not appear
  content: more prose that must not appear
  type: <integer>
  presence: required
  rangelist: [0, 1]
  default: true
  supportedOS:
    iOS:
      introduced: '14.0'
      deprecated: '15.0'
      removed: '16.0'
      supervised: true
    macOS:
      introduced: n/a
- key: Version
  type: <string>
  rangelist: ['1.0', 1.1]
  format: ^[0-9]$
- key: Ratio
  type: <real>
  range: {min: 0.5, max: 2}
- key: List
  type: <array>
  subkeys: &a
  - key: ListItem
    type: <dictionary>
    subkeys:
    - key: ANY
      type: <any>
- key: Again
  type: <array>
  subkeys: *a
`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(src, Header+"\n") {
		t.Errorf("output does not start with the generated-code header:\n%s", src)
	}
	for _, want := range []string{
		`Type:     "com.example.test",`,
		`IOS:      Support{Introduced: "5.0"},`,
		`Multiple: true,`,
		// default: true stays a bool on an <integer> key; no conversion.
		`{Name: "Flag", Type: Integer, Required: true, RangeList: []any{int64(0), int64(1)}, Default: true, IOS: Support{Introduced: "14.0", Deprecated: "15.0", Removed: "16.0", Supervised: true}},`,
		// Unquoted 1.1 is a YAML float even on a <string> key.
		`{Name: "Version", Type: String, RangeList: []any{"1.0", float64(1.1)}, Format: "^[0-9]$"},`,
		`{Name: "Ratio", Type: Real, Min: new(float64(0.5)), Max: new(float64(2))},`,
		`{Name: "ListItem", IsElement: true, Type: Dictionary,`,
		`{Name: "ANY", AnyName: true, Type: Any},`,
		`{Name: "Again", Type: Array,`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("output lacks %s\n%s", want, src)
		}
	}
	if want := `var release = Release{Commit: "0123456789abcdef0123456789abcdef01234567", IOS: "16.0", Seed: false, NewestReleasedIOS: "16.0"}`; !strings.Contains(src, want) {
		t.Errorf("output lacks %s\n%s", want, src)
	}
	if strings.Contains(src, "prose") {
		t.Errorf("output contains prose:\n%s", src)
	}
	if n := strings.Count(src, `{Name: "ListItem"`); n != 2 {
		t.Errorf("aliased subkeys appear %d times, want 2", n)
	}

}

func TestGenerateIsDeterministic(t *testing.T) {
	files := map[string]string{
		"b.yaml": strings.Replace(head, "com.example.test", "com.example.b", 1) + "- key: K\n  type: <string>\n",
		"a.yaml": strings.Replace(head, "com.example.test", "com.example.a", 1) + "- key: K\n  type: <string>\n",
	}
	first, err := gen(t, files)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if next, _ := gen(t, files); next != first {
			t.Fatal("output differs between runs")
		}
	}
	if a, b := strings.Index(first, "com.example.a"), strings.Index(first, "com.example.b"); a < 0 || b < a {
		t.Errorf("payloads not ordered by type:\n%s", first)
	}
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no files", map[string]string{"README.md": "x"}, "no *.yaml files"},
		{"unknown field", map[string]string{"t.yaml": head + "- key: K\n  type: <string>\n  colour: red\n"}, "colour"},
		{"unknown OS field", map[string]string{"t.yaml": head + "- key: K\n  type: <string>\n  supportedOS:\n    iOS:\n      introducd: '1.0'\n"}, "introducd"},
		{"unknown type", map[string]string{"t.yaml": head + "- key: K\n  type: <str>\n"}, `unknown type "<str>"`},
		{"missing type", map[string]string{"t.yaml": head + "- key: K\n"}, `unknown type ""`},
		{"bad presence", map[string]string{"t.yaml": head + "- key: K\n  type: <string>\n  presence: sometimes\n"}, "presence"},
		{"missing name", map[string]string{"t.yaml": head + "- type: <string>\n"}, "no name"},
		{"duplicate key", map[string]string{"t.yaml": head + "- key: K\n  type: <string>\n- key: K\n  type: <string>\n"}, "appears twice"},
		{"array without element", map[string]string{"t.yaml": head + "- key: L\n  type: <array>\n"}, "exactly one subkey"},
		{"array with two elements", map[string]string{"t.yaml": head + "- key: L\n  type: <array>\n  subkeys:\n  - key: A\n    type: <string>\n  - key: B\n    type: <string>\n"}, "found 2"},
		{"scalar with subkeys", map[string]string{"t.yaml": head + "- key: S\n  type: <string>\n  subkeys:\n  - key: A\n    type: <string>\n"}, "subkeys on a <string>"},
		{"non-scalar default", map[string]string{"t.yaml": head + "- key: S\n  type: <string>\n  default: [a]\n"}, "want a scalar"},
		{"null default", map[string]string{"t.yaml": head + "- key: S\n  type: <string>\n  default: null\n"}, "!!null"},
		{"unsupervised inside supervised", map[string]string{"t.yaml": head + "- key: D\n  type: <dictionary>\n  supportedOS:\n    iOS:\n      supervised: true\n  subkeys:\n  - key: K\n    type: <string>\n    supportedOS:\n      iOS:\n        supervised: false\n"}, "supervised: false"},
		{"not a profile", map[string]string{"t.yaml": "title: T\npayload:\n  requesttype: DeviceInformation\n"}, "payloadtype is missing"},
		{"duplicate payload type", map[string]string{"a.yaml": head, "b.yaml": head}, "defined by both a.yaml and b.yaml"},
		{"no RELEASE", map[string]string{"t.yaml": head, ReleaseFile: ""}, "must say which release"},
		{"RELEASE without seed", map[string]string{"t.yaml": head, ReleaseFile: "commit 0123456789abcdef0123456789abcdef01234567\nios 16.0\nnewest-released 16.0\n"}, "seed is missing"},
		{"RELEASE short commit", map[string]string{"t.yaml": head, ReleaseFile: strings.Replace(testRelease, "0123456789abcdef0123456789abcdef01234567", "61449b0", 1)}, "not a full"},
		{"RELEASE unknown field", map[string]string{"t.yaml": head, ReleaseFile: testRelease + "beta 2\n"}, `unknown field "beta"`},
		{"RELEASE twice", map[string]string{"t.yaml": head, ReleaseFile: testRelease + "ios 16.0\n"}, "ios given twice"},
		{"RELEASE bad version", map[string]string{"t.yaml": head, ReleaseFile: strings.Replace(testRelease, "ios 16.0", "ios sixteen", 1)}, `"sixteen" is not a version`},
		{"seed newer than its release", map[string]string{"t.yaml": head, ReleaseFile: strings.NewReplacer("seed false", "seed true").Replace(testRelease)}, "must be older than the seed"},
		{"release differs from newest", map[string]string{"t.yaml": head, ReleaseFile: strings.Replace(testRelease, "newest-released 16.0", "newest-released 15.0", 1)}, "its own newest release"},
		{"keys newer than the release", map[string]string{"t.yaml": head + "- key: K\n  type: <string>\n  supportedOS:\n    iOS:\n      introduced: '16.1'\n"}, "names iOS 16.1, newer than the release"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := gen(t, tt.files)
			if err == nil {
				t.Fatalf("Generate succeeded, want error containing %q:\n%s", tt.want, src)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Generate error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestHeaderIsRecognised(t *testing.T) {
	// The pattern from https://go.dev/s/generatedcode.
	if !strings.HasPrefix(Header, "// Code generated ") || !strings.HasSuffix(Header, " DO NOT EDIT.") || strings.Contains(Header, "\n") {
		t.Errorf("Header %q does not match the generated-code convention", Header)
	}
}
