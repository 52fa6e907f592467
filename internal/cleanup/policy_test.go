package cleanup

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func days(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }

func TestDecide(t *testing.T) {
	t.Parallel()
	git := Git{Branches: []string{"main", "feature/a"}, Tags: []string{"v1.2.0"},
		HasCommit: func(sha string) bool { return sha == "c1" }}
	partial := git
	partial.BranchesPartial = "only the pipeline's branch was fetched"
	none := Policy{GitTagLimit: -1, GitTagExpiryDays: -1, GitCommitLimit: -1, GitCommitExpiryDays: -1}
	tests := []struct {
		name   string
		items  []Item
		policy Policy
		want   []bool // delete?
		git    *Git   // nil: git
	}{
		{"branches: present ones stay, strict or docker-tag slug", []Item{
			{Strategy: "git-branch", ImageTag: "main"},
			{Strategy: "git-branch", ImageTag: "feature-a-927398f1"},
			{Strategy: "git-branch", ImageTag: "feature-a-f1987392"},
			{Strategy: "git-branch", ImageTag: "feature-b-00000000"},
		}, none, []bool{false, false, false, true}, nil},
		{"git tags: strict and docker-tag", []Item{
			{Strategy: "git-tag", ImageTag: "v1-2-0-bc975707", Created: days(1)},
			{Strategy: "git-tag", ImageTag: "v1.2.0", Created: days(1)},
			{Strategy: "git-tag", ImageTag: "v0-9-0-12345678", Created: days(1)},
		}, none, []bool{false, false, true}, nil},
		{"commits", []Item{
			{Strategy: "git-commit", ImageTag: "c1", Created: days(1)},
			{Strategy: "git-commit", ImageTag: "c2", Created: days(1)},
		}, none, []bool{false, true}, nil},
		{"never: custom, foreign, stages, unreadable", []Item{
			{Strategy: "custom", ImageTag: "latest"},
			{Strategy: ""},
			{Strategy: "git-branch", ImageTag: "gone", LabelErr: errors.New("401")},
			{Stage: true, Strategy: "git-branch", ImageTag: "gone"},
			{Strategy: "git-branch"}, // no werf-image-tag
		}, none, []bool{false, false, false, false, false}, nil},
		{"git-tag count limit keeps the newest", []Item{
			{Strategy: "git-tag", ImageTag: "v1.2.0", Created: days(3)},
			{Strategy: "git-tag", ImageTag: "v1-2-0-bc975707", Created: days(1)},
		}, Policy{GitTagLimit: 1, GitTagExpiryDays: -1, GitCommitLimit: -1, GitCommitExpiryDays: -1}, []bool{true, false}, nil},
		{"limits hold per image", []Item{
			{Strategy: "git-tag", Image: "backend", ImageTag: "v1.2.0", Created: days(3)},
			{Strategy: "git-tag", Image: "frontend", ImageTag: "v1.2.0", Created: days(1)},
		}, Policy{GitTagLimit: 1, GitTagExpiryDays: -1, GitCommitLimit: -1, GitCommitExpiryDays: -1}, []bool{false, false}, nil},
		{"git-commit expiry with a fixed clock", []Item{
			{Strategy: "git-commit", ImageTag: "c1", Created: days(31)},
			{Strategy: "git-commit", ImageTag: "c1", Created: days(29)},
		}, Policy{GitTagLimit: -1, GitTagExpiryDays: -1, GitCommitLimit: 50, GitCommitExpiryDays: 30}, []bool{true, false}, nil},
		{"limits do not touch branches", []Item{
			{Strategy: "git-branch", ImageTag: "main", Created: days(400)},
		}, Policy{GitTagLimit: 0, GitTagExpiryDays: 0, GitCommitLimit: 0, GitCommitExpiryDays: 0}, []bool{false}, nil},
		{"partial branches keep every branch image", []Item{
			{Strategy: "git-branch", ImageTag: "feature-b-00000000"},
			{Strategy: "git-commit", ImageTag: "c2"},
		}, none, []bool{false, true}, &partial},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []bool
			g := git
			if tc.git != nil {
				g = *tc.git
			}
			for _, d := range Decide(tc.items, g, tc.policy, now) {
				got = append(got, d.Delete)
				if d.Reason == "" || d.Policy == "" {
					t.Errorf("decision without a reason: %+v", d)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("deletions (-want +got):\n%s", diff)
			}
		})
	}
}
