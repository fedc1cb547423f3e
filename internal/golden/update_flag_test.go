package golden

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const importPath = "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"

// TestEveryTestPackageDefinesUpdate keeps the README's "go test ./...
// -update" working: a test binary that does not define -update fails on it
// ("flag provided but not defined"), so every package with tests must
// import this package from at least one of its test files.
func TestEveryTestPackageDefinesUpdate(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	tests := map[string]bool{} // folder → imports golden
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		uses := dir == filepath.Join(root, "internal", "golden")
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == importPath {
				uses = true
			}
		}
		tests[dir] = tests[dir] || uses
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tests) < 5 {
		t.Fatalf("found %d test packages; the walk is broken", len(tests))
	}
	for dir, ok := range tests {
		if !ok {
			rel, _ := filepath.Rel(root, dir)
			t.Errorf("%s: no test file imports %s, so `go test ./... -update` fails there (add `import _ %q` to a test file)", rel, importPath, importPath)
		}
	}
}
