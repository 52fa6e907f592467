// Package ci is the neutral shape of the job shiptag runs in: Facts, the
// same whatever the CI system. Package platform reads each system's
// variables into it, once; tag rules, naming, publishing and cleanup read
// only Facts, so they work the same on every platform.
package ci

import (
	"context"
	"time"
)

// Platform names a CI system; package platform knows which it can read.
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
