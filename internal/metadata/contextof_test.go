package metadata

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shiptag/shiptag/internal/ci"
)

func TestContextOf(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	pr := ci.Event{Name: "pull_request", Ref: "refs/pull/7/merge", SHA: "merge", PRHeadSHA: "head", BaseRef: "main",
		DefaultBranch: "main", Project: ci.Project{Name: "app", License: "MIT"}}
	base := Context{EventName: "pull_request", Ref: "refs/pull/7/merge", SHA: "merge", BaseRef: "main", DefaultBranch: "main",
		Now: now, Repo: Repo{Name: "app", License: "MIT"}}
	tests := []struct {
		name  string
		ev    ci.Event
		knobs Knobs
		edit  func(*Context)
	}{
		{"a pull request names its merge commit", pr, Knobs{}, func(*Context) {}},
		{"DOCKER_METADATA_PR_HEAD_SHA names its head", pr, Knobs{PRHeadSHA: true, ShortSHALength: 12},
			func(c *Context) { c.SHA, c.ShortSHALength = "head", 12 }},
		{"only on pull requests", ci.Event{Name: "push", SHA: "c", PRHeadSHA: "head"}, Knobs{PRHeadSHA: true},
			func(c *Context) { *c = Context{EventName: "push", SHA: "c", Now: now} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := base
			tc.edit(&want)
			if diff := cmp.Diff(want, ContextOf(tc.ev, tc.knobs, now)); diff != "" {
				t.Errorf("context (-want +got):\n%s", diff)
			}
		})
	}
}
