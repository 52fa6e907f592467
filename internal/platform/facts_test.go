package platform

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shiptag/shiptag/internal/ci"
)

// ignoreEvent leaves Facts.Event to TestEvents.
var ignoreEvent = cmpopts.IgnoreFields(ci.Facts{}, "Event")

func mapEnv(m map[string]string) ci.Getenv { return func(k string) string { return m[k] } }

func TestDetectGitHub(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	prEvent := filepath.Join(dir, "pr.json")
	if err := os.WriteFile(prEvent, []byte(`{"pull_request":{"head":{"sha":"aaaa1111","ref":"feature/x"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "Octo/Hello-World", "GITHUB_SHA": "cafe", "GITHUB_WORKSPACE": "/ws"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	common := ci.Facts{Platform: ci.GitHub, GitCommit: "cafe", DefaultRepo: "ghcr.io/octo/hello-world", Registry: "ghcr.io", ProjectDir: "/ws",
		SourceURL: "https://github.com/Octo/Hello-World",
		Looked:    "GITHUB_REF_TYPE, GITHUB_REF_NAME, GITHUB_REF and GITHUB_HEAD_REF"}
	tests := []struct {
		name string
		env  map[string]string
		edit func(*ci.Facts)
	}{
		{"push to a branch", with("GITHUB_REF", "refs/heads/core/feature/ADD_SETTINGS", "GITHUB_REF_TYPE", "branch", "GITHUB_REF_NAME", "core/feature/ADD_SETTINGS"),
			func(f *ci.Facts) { f.GitBranch = "core/feature/ADD_SETTINGS" }},
		{"push of a tag", with("GITHUB_REF", "refs/tags/v2.3.1", "GITHUB_REF_TYPE", "tag", "GITHUB_REF_NAME", "v2.3.1"),
			func(f *ci.Facts) { f.GitTag = "v2.3.1" }},
		{"tag from GITHUB_REF alone", with("GITHUB_REF", "refs/tags/v1"),
			func(f *ci.Facts) { f.GitTag = "v1" }},
		{"pull request: head branch and head commit", with("GITHUB_REF", "refs/pull/7/merge", "GITHUB_REF_NAME", "7/merge", "GITHUB_HEAD_REF", "feature/x",
			"GITHUB_EVENT_NAME", "pull_request", "GITHUB_EVENT_PATH", prEvent),
			func(f *ci.Facts) { f.GitBranch, f.GitCommit = "feature/x", "aaaa1111" }},
		{"pull request without a payload keeps GITHUB_SHA", with("GITHUB_HEAD_REF", "feature/x", "GITHUB_EVENT_PATH", filepath.Join(dir, "missing.json")),
			func(f *ci.Facts) { f.GitBranch = "feature/x" }},
		{"no ref at all", with(), func(*ci.Facts) {}},
		{"a token passed to the step logs in to ghcr.io", with("GITHUB_TOKEN", "ghs_secret", "GITHUB_ACTOR", "octocat", "GITHUB_SERVER_URL", "https://github.example.com/"),
			func(f *ci.Facts) {
				f.SourceURL = "https://github.example.com/Octo/Hello-World"
				f.Login = &ci.Login{Registry: "ghcr.io", Username: "octocat", Password: "ghs_secret", From: "GITHUB_ACTOR and GITHUB_TOKEN"}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := common
			tc.edit(&want)
			got, err := detect(context.Background(), ci.Auto, mapEnv(tc.env), nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, ignoreEvent); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGitHubBadPayload(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := detect(context.Background(), ci.GitHub, mapEnv(map[string]string{"GITHUB_EVENT_PATH": bad}), nil)
	if err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH") || !strings.Contains(err.Error(), bad) {
		t.Errorf("error = %v, want one naming GITHUB_EVENT_PATH and %s", err, bad)
	}
}

func TestDetectGitLab(t *testing.T) {
	t.Parallel()
	looked := "CI_BUILD_TAG, CI_COMMIT_TAG, CI_BUILD_REF_NAME, CI_COMMIT_REF_NAME and CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"
	tests := []struct {
		name string
		env  map[string]string
		want ci.Facts
	}{
		{"branch pipeline", map[string]string{"GITLAB_CI": "true", "CI_COMMIT_REF_NAME": "rework-cache", "CI_COMMIT_SHA": "abc",
			"CI_REGISTRY_IMAGE": "registry.example.com/g/p", "CI_REGISTRY": "registry.example.com", "CI_PROJECT_DIR": "/builds/g/p",
			"CI_PROJECT_URL": "https://gitlab.example.com/g/p", "CI_REGISTRY_USER": "gitlab-ci-token", "CI_REGISTRY_PASSWORD": "pw", "CI_JOB_TOKEN": "jt"},
			ci.Facts{Platform: ci.GitLab, GitBranch: "rework-cache", GitCommit: "abc", DefaultRepo: "registry.example.com/g/p",
				Registry: "registry.example.com", ProjectDir: "/builds/g/p", SourceURL: "https://gitlab.example.com/g/p", Looked: looked,
				Login: &ci.Login{Registry: "registry.example.com", Username: "gitlab-ci-token", Password: "pw", From: "CI_REGISTRY_USER and CI_REGISTRY_PASSWORD"}}},
		{"job token when the registry user is not set", map[string]string{"GITLAB_CI": "true", "CI_REGISTRY": "r.example.com", "CI_JOB_TOKEN": "jt"},
			ci.Facts{Platform: ci.GitLab, Registry: "r.example.com", Looked: looked,
				Login: &ci.Login{Registry: "r.example.com", Username: "gitlab-ci-token", Password: "jt", From: "CI_JOB_TOKEN"}}},
		{"tag pipeline: GitLab sets both, tag wins in Derive", map[string]string{"GITLAB_CI": "true", "CI_COMMIT_TAG": "v2.3.1", "CI_COMMIT_REF_NAME": "v2.3.1"},
			ci.Facts{Platform: ci.GitLab, GitTag: "v2.3.1", GitBranch: "v2.3.1", Looked: looked}},
		{"deprecated names come first", map[string]string{"GITLAB_CI": "true", "CI_BUILD_TAG": "old", "CI_COMMIT_TAG": "new",
			"CI_BUILD_REF_NAME": "old-branch", "CI_COMMIT_REF_NAME": "new-branch", "CI_BUILD_REF": "sha-old"},
			ci.Facts{Platform: ci.GitLab, GitTag: "old", GitBranch: "old-branch", GitCommit: "sha-old", Looked: looked}},
		{"merge request pipeline: the source branch", map[string]string{"GITLAB_CI": "true", "CI_COMMIT_REF_NAME": "feature/mr",
			"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature/mr", "CI_MERGE_REQUEST_IID": "5"},
			ci.Facts{Platform: ci.GitLab, GitBranch: "feature/mr", Looked: looked}},
		{"merged-results pipeline without a ref name", map[string]string{"GITLAB_CI": "true", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature/mr"},
			ci.Facts{Platform: ci.GitLab, GitBranch: "feature/mr", Looked: looked}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := detect(context.Background(), ci.Auto, mapEnv(tc.env), nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, ignoreEvent); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// fakeGit answers git commands from a table; a missing entry fails.
func fakeGit(answers map[string]string) ci.Git {
	return func(_ context.Context, args ...string) (string, error) {
		if out, ok := answers[strings.Join(args, " ")]; ok {
			return out, nil
		}
		return "", errors.New("exit status 128")
	}
}

func TestDetectLocal(t *testing.T) {
	t.Parallel()
	const looked = "git describe --exact-match --tags and git rev-parse --abbrev-ref HEAD in the working directory"
	with := func(branch string, kv ...string) map[string]string {
		m := map[string]string{"rev-parse HEAD --abbrev-ref HEAD": "c0ffee\n" + branch}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		git  ci.Git
		want ci.Facts
	}{
		{"branch", fakeGit(with("main")),
			ci.Facts{Platform: ci.Local, GitBranch: "main", GitCommit: "c0ffee", Looked: looked}},
		{"tagged commit on a branch", fakeGit(with("main", "describe --exact-match --tags HEAD", "v1.0.0")),
			ci.Facts{Platform: ci.Local, GitTag: "v1.0.0", GitBranch: "main", GitCommit: "c0ffee", Looked: looked}},
		{"detached HEAD has no branch", fakeGit(with("HEAD")),
			ci.Facts{Platform: ci.Local, GitCommit: "c0ffee", Looked: looked}},
		{"not a repository", fakeGit(nil),
			ci.Facts{Platform: ci.Local, Looked: looked + " (git rev-parse HEAD failed: exit status 128)"}},
		{"no git", nil, ci.Facts{Platform: ci.Local, Looked: "nothing: no git command was given"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := detect(context.Background(), ci.Auto, mapEnv(nil), tc.git)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, ignoreEvent); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlatformChoice(t *testing.T) {
	t.Parallel()
	env := mapEnv(map[string]string{"GITHUB_ACTIONS": "true", "GITLAB_CI": "true", "CI_COMMIT_REF_NAME": "gl"})
	f, err := detect(context.Background(), ci.GitLab, env, nil)
	if err != nil || f.Platform != ci.GitLab || f.GitBranch != "gl" {
		t.Errorf("explicit gitlab: %+v, %v", f, err)
	}
	if _, err := detect(context.Background(), "jenkins", env, nil); err == nil || !strings.Contains(err.Error(), `"jenkins"`) ||
		!strings.Contains(err.Error(), "auto, github, gitlab, local") {
		t.Errorf("an unknown platform: error = %v", err)
	}
	if !Known("gitlab") || !Known("auto") || Known("jenkins") {
		t.Error("Known disagrees with the platforms")
	}
}

// detect opens the platform and returns its facts.
func detect(ctx context.Context, name ci.Platform, getenv ci.Getenv, git ci.Git) (ci.Facts, error) {
	p, err := Open(ctx, Options{Name: name, Getenv: getenv, Git: git, Log: io.Discard})
	if err != nil {
		return ci.Facts{}, err
	}
	return p.Facts(), nil
}
