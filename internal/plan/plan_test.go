package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/inputs"
)

// TestSpecExamples runs the published examples of behaviour.md §3.
func TestSpecExamples(t *testing.T) {
	t.Parallel()
	const sys = "registry.hello.com/web/core/system"
	gitlab := func(branch, tag string) ci.Facts {
		return ci.Facts{Platform: ci.GitLab, GitBranch: branch, GitTag: tag}
	}
	cfg := func(edit func(*Inputs)) Inputs {
		c := defaultInputs()
		c.Repo = sys
		c.Images = []string{"backend", "frontend"}
		edit(&c)
		return c
	}
	tests := []struct {
		name  string
		cfg   Inputs
		facts ci.Facts
		want  []string
	}{
		{"1: custom tag", cfg(func(c *Inputs) { c.TagCustom = []string{"v1.2.0"} }), ci.Facts{Platform: ci.Local},
			[]string{sys + "/backend:v1.2.0", sys + "/frontend:v1.2.0"}},
		{"2: branch in a GitLab job", cfg(func(c *Inputs) { c.TaggingStrategy = "tag-or-branch" }), gitlab("core/feature/ADD_SETTINGS", ""),
			[]string{sys + "/backend:core-feature-add-settings-c3fd80df", sys + "/frontend:core-feature-add-settings-c3fd80df"}},
		{"3: nameless image on a git tag", cfg(func(c *Inputs) {
			c.Repo, c.Images, c.TaggingStrategy = "registry.hello.com/web/core/queue", nil, "tag-or-branch"
		}), gitlab("v2.3.1", "v2.3.1"),
			[]string{"registry.hello.com/web/core/queue:v2-3-1-5cb8b0a4"}},
		{"4: branch plus two custom tags", cfg(func(c *Inputs) {
			c.TaggingStrategy, c.TagCustom = "tag-or-branch", []string{"feature-using-cache", "my-test-branch"}
		}), gitlab("rework-cache", ""),
			[]string{sys + "/backend:rework-cache", sys + "/frontend:rework-cache", sys + "/backend:feature-using-cache",
				sys + "/frontend:feature-using-cache", sys + "/backend:my-test-branch", sys + "/frontend:my-test-branch"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := New(tc.cfg, tc.facts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, p.Refs()); diff != "" {
				t.Errorf("refs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultRepo(t *testing.T) {
	t.Parallel()
	c := defaultInputs()
	c.TagCustom = []string{"x"}
	p, err := New(c, ci.Facts{Platform: ci.GitHub, DefaultRepo: "ghcr.io/octo/app"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ghcr.io/octo/app:x"}, p.Refs()); diff != "" {
		t.Errorf("refs mismatch (-want +got):\n%s", diff)
	}
}

func TestParseImages(t *testing.T) {
	t.Parallel()
	got, err := ParseImages([]string{"backend=oci:./b", "=docker-archive:q.tar", "frontend", "backend=oci:./b-arm64", "=oci:arm"})
	if err != nil {
		t.Fatal(err)
	}
	// A name given again with a source adds it: one image of both platforms.
	want := []Image{{Name: "backend", Sources: []string{"oci:./b", "oci:./b-arm64"}}, {Sources: []string{"docker-archive:q.tar", "oci:arm"}}, {Name: "frontend"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("images mismatch (-want +got):\n%s", diff)
	}
	errs := []struct {
		entries  []string
		contains string
	}{
		{[]string{"=a", ""}, "two nameless images"},
		{[]string{"", "=b"}, "two nameless images"},
		{[]string{"x=a", "x"}, `image "x" is given twice`},
		{[]string{"x", "x=b"}, `image "x" is given twice`},
		{[]string{"oci:./dir"}, `write "=oci:./dir"`},
		{[]string{"="}, "names no image and no source"},
	}
	for _, e := range errs {
		_, err := ParseImages(e.entries)
		var ie *inputs.Error
		if !errors.As(err, &ie) || ie.Input != "--image (SHIPTAG_IMAGES)" || !strings.Contains(err.Error(), e.contains) {
			t.Errorf("ParseImages(%q) error = %v, want one on --image containing %q", e.entries, err, e.contains)
		}
	}
}

func TestSettingsErrors(t *testing.T) {
	t.Parallel()
	for flagName, edit := range map[string]func(*Inputs){
		"slug":                    func(c *Inputs) { c.Slug = "loose" },
		"repo-mode":               func(c *Inputs) { c.RepoMode = "mono" },
		"registry-implementation": func(c *Inputs) { c.RegistryImplementation = "artifactory" },
		"tagging-strategy":        func(c *Inputs) { c.TaggingStrategy = "branch" },
	} {
		c := defaultInputs()
		c.Repo, c.TagCustom = "registry.example.com/app", []string{"x"}
		edit(&c)
		_, err := New(c, ci.Facts{})
		var ie *inputs.Error
		if !errors.As(err, &ie) || ie.Input != inputs.Name(flagName) {
			t.Errorf("bad %s: error = %v", flagName, err)
		}
	}
}

// defaultInputs are the inputs of a run that sets nothing (config's defaults).
func defaultInputs() Inputs {
	return Inputs{RepoInputs: RepoInputs{RegistryImplementation: "auto", RepoMode: "auto"}, TaggingStrategy: "none", Slug: "strict"}
}
