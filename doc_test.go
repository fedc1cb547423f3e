package graph2mobileconfig_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryExportedNameIsDocumented reads every public package of the
// module as go doc does: each has a package comment, and every exported
// constant, variable, type, function and method has a doc comment (a
// constant or variable may share its group's). The methods that implement
// error and fmt.Stringer (Error, Unwrap, String) say nothing a comment
// would add, and are left as the standard library leaves them.
func TestEveryExportedNameIsDocumented(t *testing.T) {
	var dirs []string
	filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch base := filepath.Base(path); {
			case path != "." && (strings.HasPrefix(base, ".") || base == "testdata" || base == "internal" || base == "cmd" || base == "bench" || base == "fixtures"):
				return filepath.SkipDir
			}
			dirs = append(dirs, path)
		}
		return nil
	})
	checked := 0
	for _, dir := range dirs {
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkgs {
			checked++
			files := make([]*ast.File, 0, len(p.Files))
			for _, f := range p.Files {
				files = append(files, f)
			}
			d, err := doc.NewFromFiles(fset, files, "example.com/"+dir)
			if err != nil {
				t.Fatal(err)
			}
			missing := func(kind, name, text string) {
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: %s %s has no doc comment", dir, kind, name)
				}
			}
			missing("package", d.Name, d.Doc)
			values := func(vs []*doc.Value, kind string) {
				for _, v := range vs {
					if v.Doc != "" {
						continue
					}
					for _, spec := range v.Decl.Specs {
						vs := spec.(*ast.ValueSpec)
						for _, n := range vs.Names {
							if n.IsExported() && vs.Doc.Text() == "" && vs.Comment.Text() == "" {
								t.Errorf("%s: %s %s has no doc comment", dir, kind, n.Name)
							}
						}
					}
				}
			}
			values(d.Consts, "constant")
			values(d.Vars, "variable")
			for _, f := range d.Funcs {
				missing("function", f.Name, f.Doc)
			}
			for _, ty := range d.Types {
				missing("type", ty.Name, ty.Doc)
				values(ty.Consts, "constant")
				values(ty.Vars, "variable")
				for _, f := range ty.Funcs {
					missing("function", f.Name, f.Doc)
				}
				for _, m := range ty.Methods {
					if m.Name != "Error" && m.Name != "Unwrap" && m.Name != "String" {
						missing("method", ty.Name+"."+m.Name, m.Doc)
					}
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked %d packages", checked)
	}
}
