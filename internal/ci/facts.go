// Package ci reads the CI environment of the job shiptag runs in and maps it
// into one neutral set of facts (Facts). Each platform has its own file that
// knows that platform's variables; nothing outside this package reads a CI
// variable, so tag rules, naming and outputs work the same on every platform.
package ci

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Platform names a CI system shiptag knows.
type Platform string

const (
	// Auto detects the platform from the environment.
	Auto Platform = "auto"
	// GitHub is GitHub Actions (also under act).
	GitHub Platform = "github"
	// GitLab is GitLab CI/CD.
	GitLab Platform = "gitlab"
	// Local is a developer's shell: git facts come from the git command.
	Local Platform = "local"
)

// Platforms lists every accepted value of --platform.
var Platforms = []Platform{Auto, GitHub, GitLab, Local}

// Facts is what shiptag needs to know about the job, whatever the platform.
type Facts struct {
	Platform Platform
	// GitTag is the git tag the job runs for, or empty.
	GitTag string
	// GitBranch is the branch the job runs for (a pull or merge request's
	// source branch), or empty.
	GitBranch string
	// GitCommit is the commit the job builds (a pull request's head commit).
	GitCommit string
	// DefaultRepo is the images repo to use when --repo is not given.
	DefaultRepo string
	// Registry is the host of the platform's own registry, if it has one.
	Registry string
	// ProjectDir is the checkout the job runs in, where output files go.
	ProjectDir string
	// SourceURL is the repository's web address (OCI source label).
	SourceURL string
	// Login is the platform's own registry login, when the job has one.
	Login *Login
	// Event is the run in the terms docker/metadata-action's rules read.
	Event Event
	// Looked describes where the git tag and branch were looked for, so that
	// an error can tell the user what was empty.
	Looked string
}

// Event describes the run the way docker/metadata-action reads GitHub's
// context; GitLab pipelines are mapped into the same terms (a schedule
// pipeline is "schedule", a merge request "pull_request" with
// refs/pull/IID/merge, a tag pipeline refs/tags/TAG).
type Event struct {
	Name      string // push, pull_request, schedule, workflow_dispatch, …
	Ref       string // refs/heads/X, refs/tags/X or refs/pull/N/merge
	SHA       string // the commit the event names (GitHub: GITHUB_SHA, a merge commit for pull requests)
	PRHeadSHA string // a pull or merge request's head commit
	// BaseRef is a pull request's target branch, or a tag push's base_ref.
	BaseRef       string
	DefaultBranch string
	CommitTime    time.Time // zero when unknown
	Project       Project
}

// Project is the repository's facts, for OCI labels.
type Project struct {
	Name, Description, URL, License string
}

// Login is a registry login the CI platform hands the job.
type Login struct {
	Registry, Username, Password string
	// From names the variables it came from, for messages.
	From string
}

// Getenv reads one variable of the job's environment.
type Getenv func(key string) string

// Git runs a git command with the given arguments and returns its trimmed
// standard output. Local detection uses it; tests can pass a fake.
type Git func(ctx context.Context, args ...string) (string, error)

// Detect returns the facts of the job. With Auto, GITHUB_ACTIONS=true means
// GitHub, GITLAB_CI=true means GitLab, and anything else is local.
func Detect(ctx context.Context, p Platform, getenv Getenv, git Git) (Facts, error) {
	if p == Auto || p == "" {
		p = detectPlatform(getenv)
	}
	switch p {
	case GitHub:
		return gitHubFacts(getenv)
	case GitLab:
		return gitLabFacts(getenv), nil
	case Local:
		return localFacts(ctx, git), nil
	}
	return Facts{}, fmt.Errorf("unknown platform %q: use one of %s", p, joinPlatforms())
}

// ParsePlatform checks a --platform value.
func ParsePlatform(s string) (Platform, error) {
	for _, p := range Platforms {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown platform %q: use one of %s", s, joinPlatforms())
}

func detectPlatform(getenv Getenv) Platform {
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		return GitHub
	case getenv("GITLAB_CI") == "true":
		return GitLab
	}
	return Local
}

func joinPlatforms() string {
	names := make([]string, len(Platforms))
	for i, p := range Platforms {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// firstSet returns the value of the first variable in keys that is not empty.
func firstSet(getenv Getenv, keys ...string) string {
	for _, k := range keys {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return ""
}
