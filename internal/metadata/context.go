package metadata

import (
	"strings"
	"time"

	"github.com/shiptag/shiptag/internal/ci"
)

// Context is what the rules read about the run, in GitHub's terms (the ci
// package maps GitLab's variables into it the same way).
type Context struct {
	EventName string // push, pull_request, schedule, …
	Ref       string // refs/heads/X, refs/tags/X or refs/pull/N/merge
	SHA       string
	// BaseRef is the pull request's target branch, or a tag push's base_ref.
	BaseRef string
	// DefaultBranch is the repository's default branch.
	DefaultBranch string
	CommitDate    time.Time // zero: unknown, the current date is used
	Now           time.Time
	Repo          Repo
	// ShortSHALength is DOCKER_METADATA_SHORT_SHA_LENGTH (0: 7).
	ShortSHALength int
}

// Repo is the repository facts the OCI labels record.
type Repo struct {
	Name, Description, URL, License string
}

func (c Context) shortSHA() string {
	n := c.ShortSHALength
	if n <= 0 {
		n = 7
	}
	if n >= len(c.SHA) {
		return c.SHA
	}
	return c.SHA[:n]
}

// Knobs are metadata-action's environment variables, already read.
type Knobs struct {
	// PRHeadSHA is DOCKER_METADATA_PR_HEAD_SHA=true: a pull request's sha
	// rules name its head commit, not the merge commit.
	PRHeadSHA bool
	// ShortSHALength is DOCKER_METADATA_SHORT_SHA_LENGTH (0: 7).
	ShortSHALength int
}

// ContextOf is the job in metadata-action's terms, at now (the build's
// SOURCE_DATE_EPOCH when set, else the current time).
func ContextOf(ev ci.Event, k Knobs, now time.Time) Context {
	c := Context{EventName: ev.Name, Ref: ev.Ref, SHA: ev.SHA, BaseRef: ev.BaseRef, DefaultBranch: ev.DefaultBranch,
		CommitDate: ev.CommitTime, Now: now, ShortSHALength: k.ShortSHALength,
		Repo: Repo{Name: ev.Project.Name, Description: ev.Project.Description, URL: ev.Project.URL, License: ev.Project.License}}
	if k.PRHeadSHA && strings.Contains(ev.Name, "pull_request") && ev.PRHeadSHA != "" {
		c.SHA = ev.PRHeadSHA
	}
	return c
}
