package tagging

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/slug"
)

func TestDeriveAndTags(t *testing.T) {
	t.Parallel()
	branch := ci.Facts{Platform: ci.GitLab, GitBranch: "core/feature/ADD_SETTINGS"}
	tagged := ci.Facts{Platform: ci.GitLab, GitTag: "v2.3.1", GitBranch: "v2.3.1"}
	tests := []struct {
		name     string
		strategy TaggingStrategy
		facts    ci.Facts
		params   Params
		rule     slug.Rule
		want     []Tag
	}{
		{"custom only", None, branch, Params{Custom: []string{"v1.2.0"}}, slug.Strict,
			[]Tag{{"v1.2.0", Custom}}},
		{"branch from CI, strict", TagOrBranch, branch, Params{}, slug.Strict,
			[]Tag{{"core-feature-add-settings-c3fd80df", GitBranch}}},
		{"branch from CI, docker-tag", TagOrBranch, branch, Params{}, slug.DockerTag,
			[]Tag{{"core-feature-add-settings-df80fdc3", GitBranch}}},
		{"the git tag wins over the branch", TagOrBranch, tagged, Params{}, slug.Strict,
			[]Tag{{"v2-3-1-5cb8b0a4", GitTag}}},
		{"an explicit branch wins over the derived one", TagOrBranch, branch, Params{GitBranch: "main"}, slug.Strict,
			[]Tag{{"main", GitBranch}}},
		{"an explicit branch adds to a derived tag", TagOrBranch, tagged, Params{GitBranch: "main"}, slug.Strict,
			[]Tag{{"v2-3-1-5cb8b0a4", GitTag}, {"main", GitBranch}}},
		{"fixed order: derived, tag, branch, commit, customs", TagOrBranch, ci.Facts{GitBranch: "rework-cache"},
			Params{GitTag: "v1", GitCommit: "c3b0470849a54ccc5e1b2a9f0d1f6b3a2c4e5f60", Custom: []string{"feature-using-cache", "my-test-branch"}}, slug.Strict,
			[]Tag{{"rework-cache", GitBranch}, {"v1", GitTag}, {"c3b0470849a54ccc5e1b2a9f0d1f6b3a2c4e5f60", GitCommit},
				{"feature-using-cache", Custom}, {"my-test-branch", Custom}}},
		{"custom tags are never slugged", None, ci.Facts{}, Params{Custom: []string{"V1.2.0_RC"}}, slug.Strict,
			[]Tag{{"V1.2.0_RC", Custom}}},
		{"a repeated custom tag is kept once", None, ci.Facts{}, Params{Custom: []string{"a", "b", "a"}}, slug.Strict,
			[]Tag{{"a", Custom}, {"b", Custom}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			derived, err := Derive(tc.strategy, tc.facts, tc.params)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Tags(derived, tc.params, tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("tags mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		strategy TaggingStrategy
		facts    ci.Facts
		params   Params
		input    string
		contains []string
	}{
		{"tag-or-branch finds nothing", TagOrBranch, ci.Facts{Platform: ci.GitLab, Looked: "CI_COMMIT_TAG and CI_COMMIT_REF_NAME"}, Params{},
			"--tagging-strategy", []string{"CI_COMMIT_TAG and CI_COMMIT_REF_NAME", "--tag-git-branch"}},
		{"invalid custom tag", None, ci.Facts{}, Params{Custom: []string{"a b"}},
			"--tag-custom", []string{`"a b"`, "valid docker tag"}},
		{"custom tag too long", None, ci.Facts{}, Params{Custom: []string{strings.Repeat("x", 129)}},
			"--tag-custom", []string{"1 to 128"}},
		{"no tags at all", None, ci.Facts{}, Params{},
			"tag parameters", []string{"--tag-custom", "tag-or-branch"}},
		{"one tag from two strategies", None, ci.Facts{}, Params{GitBranch: "main", Custom: []string{"main"}},
			"tag parameters", []string{`"main"`, "git-branch", "custom"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			derived, err := Derive(tc.strategy, tc.facts, tc.params)
			if err == nil {
				_, err = Tags(derived, tc.params, slug.Strict)
			}
			var ie *inputs.Error
			if !errors.As(err, &ie) || !strings.HasPrefix(ie.Input, tc.input) {
				t.Fatalf("error = %v, want an input error naming %s", err, tc.input)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
	if _, err := ParseTaggingStrategy("tag-and-branch"); err == nil || !strings.Contains(err.Error(), `"tag-and-branch"`) {
		t.Errorf("ParseTaggingStrategy error = %v", err)
	}
}
