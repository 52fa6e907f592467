package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayout keeps the architecture the README's layout section describes:
// the CI platform is compared only inside internal/platform, only the
// command imports the settings struct, and only main reads the process
// environment.
func TestLayout(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		checkFile(t, fset, rel, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkFile(t *testing.T, fset *token.FileSet, rel string, f *ast.File) {
	t.Helper()
	test := strings.HasSuffix(rel, "_test.go")
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if p == "github.com/shiptag/shiptag/internal/config" && strings.HasPrefix(rel, "internal/") && !strings.HasPrefix(rel, "internal/config/") {
			t.Errorf("%s imports internal/config: pure packages take their own inputs and return *inputs.Error", rel)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			// An image's platform is a pointer checked against nil; the CI
			// platform is a name, never nil.
			if (n.Op == token.EQL || n.Op == token.NEQ) && !strings.HasPrefix(rel, "internal/platform/") && (isPlatform(n.X) || isPlatform(n.Y)) &&
				!isNil(n.X) && !isNil(n.Y) {
				t.Errorf("%s: a Platform comparison outside internal/platform; add a method to platform.Platform instead", fset.Position(n.Pos()))
			}
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok && x.Name == "os" && !test && rel != "cmd/shiptag/main.go" && !strings.HasPrefix(rel, "bench/") {
				switch n.Sel.Name {
				case "Getenv", "Environ", "LookupEnv", "Setenv":
					t.Errorf("%s: os.%s: only main reads the environment; take the value from run", fset.Position(n.Pos()), n.Sel.Name)
				}
			}
			if x, ok := n.X.(*ast.Ident); ok && x.Name == "os" && test && n.Sel.Name == "Setenv" {
				t.Errorf("%s: os.Setenv in a test: pass the environment instead", fset.Position(n.Pos()))
			}
		}
		return true
	})
}

// isPlatform reports whether e is a .Platform field or a ci platform name.
func isPlatform(e ast.Expr) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	if s.Sel.Name == "Platform" {
		return true
	}
	x, ok := s.X.(*ast.Ident)
	return ok && x.Name == "ci" && (s.Sel.Name == "GitHub" || s.Sel.Name == "GitLab" || s.Sel.Name == "Local")
}

func isNil(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}
