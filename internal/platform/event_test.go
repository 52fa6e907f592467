package platform

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shiptag/shiptag/internal/ci"
)

func TestEvents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, payload string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(payload), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	repo := `"repository":{"name":"app","description":"My app","html_url":"https://github.com/octo/app","default_branch":"main","license":{"spdx_id":"MIT"}}`
	push := write("push.json", `{"commits":[{"id":"aaa","timestamp":"2020-01-10T09:30:00+09:00"}],`+repo+`}`)
	tagPush := write("tag.json", `{"base_ref":"refs/heads/main",`+repo+`}`)
	pr := write("pr.json", `{"number":7,"pull_request":{"head":{"sha":"bbb"},"base":{"ref":"main"}},`+repo+`}`)
	project := ci.Project{Name: "app", Description: "My app", URL: "https://github.com/octo/app", License: "MIT"}
	gh := func(kv ...string) map[string]string {
		m := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SHA": "aaa"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	gl := func(kv ...string) map[string]string {
		m := map[string]string{"GITLAB_CI": "true", "CI_COMMIT_SHA": "ccc", "CI_DEFAULT_BRANCH": "main", "CI_PROJECT_NAME": "app",
			"CI_PROJECT_DESCRIPTION": "My app", "CI_PROJECT_URL": "https://gitlab.example.com/g/app", "CI_COMMIT_TIMESTAMP": "2020-01-10T00:30:00Z"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	glProject := ci.Project{Name: "app", Description: "My app", URL: "https://gitlab.example.com/g/app"}
	jan10 := time.Date(2020, 1, 10, 0, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		env  map[string]string
		want ci.Event
	}{
		{"github push", gh("GITHUB_EVENT_NAME", "push", "GITHUB_REF", "refs/heads/main", "GITHUB_EVENT_PATH", push),
			ci.Event{Name: "push", Ref: "refs/heads/main", SHA: "aaa", DefaultBranch: "main", CommitTime: jan10, Project: project}},
		{"github tag push", gh("GITHUB_EVENT_NAME", "push", "GITHUB_REF", "refs/tags/v1.2.3", "GITHUB_EVENT_PATH", tagPush),
			ci.Event{Name: "push", Ref: "refs/tags/v1.2.3", SHA: "aaa", BaseRef: "refs/heads/main", DefaultBranch: "main", Project: project}},
		{"github pull request", gh("GITHUB_EVENT_NAME", "pull_request", "GITHUB_REF", "refs/pull/7/merge", "GITHUB_EVENT_PATH", pr),
			ci.Event{Name: "pull_request", Ref: "refs/pull/7/merge", SHA: "aaa", PRHeadSHA: "bbb", BaseRef: "main", DefaultBranch: "main", Project: project}},
		{"github pull_request_target", gh("GITHUB_EVENT_NAME", "pull_request_target", "GITHUB_REF", "refs/heads/main", "GITHUB_EVENT_PATH", pr),
			ci.Event{Name: "pull_request_target", Ref: "refs/pull/7/merge", SHA: "aaa", PRHeadSHA: "bbb", BaseRef: "main", DefaultBranch: "main", Project: project}},
		{"github schedule", gh("GITHUB_EVENT_NAME", "schedule", "GITHUB_REF", "refs/heads/main"),
			ci.Event{Name: "schedule", Ref: "refs/heads/main", SHA: "aaa"}},
		{"gitlab branch", gl("CI_COMMIT_REF_NAME", "feature/x", "CI_PIPELINE_SOURCE", "push"),
			ci.Event{Name: "push", Ref: "refs/heads/feature/x", SHA: "ccc", DefaultBranch: "main", CommitTime: jan10, Project: glProject}},
		{"gitlab tag", gl("CI_COMMIT_TAG", "v1.2.3", "CI_COMMIT_REF_NAME", "v1.2.3", "CI_PIPELINE_SOURCE", "push"),
			ci.Event{Name: "push", Ref: "refs/tags/v1.2.3", SHA: "ccc", DefaultBranch: "main", CommitTime: jan10, Project: glProject}},
		{"gitlab merge request", gl("CI_PIPELINE_SOURCE", "merge_request_event", "CI_MERGE_REQUEST_IID", "12", "CI_COMMIT_REF_NAME", "feature/x",
			"CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main", "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "ddd"),
			ci.Event{Name: "pull_request", Ref: "refs/pull/12/merge", SHA: "ccc", PRHeadSHA: "ddd", BaseRef: "main", DefaultBranch: "main", CommitTime: jan10, Project: glProject}},
		{"gitlab schedule", gl("CI_PIPELINE_SOURCE", "schedule", "CI_COMMIT_REF_NAME", "main"),
			ci.Event{Name: "schedule", Ref: "refs/heads/main", SHA: "ccc", DefaultBranch: "main", CommitTime: jan10, Project: glProject}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := detect(context.Background(), ci.Auto, mapEnv(tc.env), nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, f.Event, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
		})
	}
}
