package meta

import "time"

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
