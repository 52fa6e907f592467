package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// TestWorkflowsLint runs actionlint (pinned in go.mod) over every workflow
// in the repository, the example workflows, and the README's workflow
// examples. testdata/workflows/uses-action.yml uses the Action as "./", so
// its inputs are checked against action.yml.
func TestWorkflowsLint(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	project, err := actionlint.NewProject(root)
	if err != nil {
		t.Fatal(err)
	}
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, pattern := range []string{".github/workflows/*.yml", "testdata/workflows/*.yml", "testdata/act/*/.github/workflows/*.yml"} {
		paths, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files[p] = data
		}
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for i, block := range yamlBlocks(string(readme)) {
		if strings.Contains(block, "\njobs:") {
			files[filepath.Join(root, "README.md")+"#workflow-"+string(rune('a'+i))+".yml"] = []byte(block)
		}
	}
	if len(files) < 3 {
		t.Fatalf("found only %d workflows to lint", len(files))
	}
	for path, data := range files {
		errs, err := linter.Lint(path, data, project)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, e := range errs {
			t.Errorf("%s:%d:%d: %s [%s]", strings.TrimPrefix(path, root+"/"), e.Line, e.Column, e.Message, e.Kind)
		}
	}
}

var fencedYAML = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// yamlBlocks returns the README's ```yaml code blocks.
func yamlBlocks(markdown string) []string {
	var out []string
	for _, m := range fencedYAML.FindAllStringSubmatch(markdown, -1) {
		out = append(out, m[1])
	}
	return out
}
