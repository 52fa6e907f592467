package plan

import (
	"fmt"
	"testing"

	"github.com/shiptag/shiptag/internal/ci"
)

// BenchmarkPlan100x10 plans 100 images under 10 tags: a branch slug, a git
// tag slug, a commit and seven custom tags.
func BenchmarkPlan100x10(b *testing.B) {
	c := defaultInputs()
	c.Repo = "registry.example.com/team/app"
	for i := 0; i < 100; i++ {
		c.Images = append(c.Images, fmt.Sprintf("service-%03d=oci:build/service-%03d", i, i))
	}
	c.TaggingStrategy = "tag-or-branch"
	c.TagGitTag, c.TagGitCommit = "v2.3.1", "c3b0470849a54ccc5e1b2a9f0d1f6b3a2c4e5f60"
	for i := 0; i < 7; i++ {
		c.TagCustom = append(c.TagCustom, fmt.Sprintf("custom-%d", i))
	}
	facts := ci.Facts{Platform: ci.GitLab, GitBranch: "core/feature/ADD_SETTINGS"}
	b.ReportAllocs()
	for b.Loop() {
		p, err := New(c, facts)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Refs()) != 1000 {
			b.Fatalf("%d refs, want 1000", len(p.Refs()))
		}
	}
}
