package cleanup

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shiptag/shiptag/internal/slug"
)

// Git is what the repository holds, and what it cannot prove gone.
type Git struct {
	Branches, Tags []string
	// Commits are the full ids of every commit the clone holds, sorted.
	Commits []string
	// TagDates and CommitDates are git's own dates (a tag's creation, a
	// commit's committer date), where the clone has them.
	TagDates, CommitDates map[string]time.Time
	// Unproven says, per kind, why the clone cannot prove one gone ("" when
	// it can): what it could hide is kept.
	Unproven Unproven
	// Source says where the branch and tag names came from, for the log.
	Source string
}

// Unproven holds, per kind of git fact, why its absence cannot be proven.
type Unproven struct {
	Branches, Tags, Commits string
}

// Advice is the one message that says what the clone cannot prove gone,
// why, and how to make it able to, or "" when it can prove everything.
// Kinds kept for one reason are named together.
func (g Git) Advice() string {
	u := g.Unproven
	var reasons []string
	kinds := map[string][]string{}
	for _, p := range []struct{ kind, why string }{{"git-branch", u.Branches}, {"git-tag", u.Tags}, {"git-commit", u.Commits}} {
		if p.why == "" {
			continue
		}
		if kinds[p.why] == nil {
			reasons = append(reasons, p.why)
		}
		kinds[p.why] = append(kinds[p.why], p.kind)
	}
	if len(reasons) == 0 {
		return ""
	}
	parts := make([]string, len(reasons))
	for i, why := range reasons {
		parts[i] = fmt.Sprintf("%s images (%s)", strings.Join(kinds[why], " and "), why)
	}
	return "kept what the clone cannot prove gone: " + strings.Join(parts, "; ") +
		". Branch and tag names came from " + g.Source + ". To prove them gone, " + FetchAdvice
}

// FetchAdvice is how to give cleanup a repository that proves absence.
const FetchAdvice = "run cleanup in a full clone whose remote origin answers git ls-remote: " +
	"git fetch --prune --tags origin '+refs/heads/*:refs/remotes/origin/*' (git fetch --unshallow first on a shallow clone); " +
	"on GitHub, actions/checkout with fetch-depth: 0; on GitLab, variables: GIT_DEPTH: 0 and that fetch in before_script"

// nameGone: an image tagged after a branch or git tag goes when no name of
// the repository slugs to its tag under either rule, and the repository is
// known to hold every name. It returns the name that matched, if any.
func nameGone(imageTag string, names []string, what, unproven string) (gone bool, reason, matched string) {
	for _, n := range names {
		if slug.Strict.Apply(n) == imageTag || slug.DockerTag.Apply(n) == imageTag {
			return false, fmt.Sprintf("%s %s is in the repository", what, n), n
		}
	}
	if unproven != "" {
		return false, fmt.Sprintf("no %s slugs to %s here, but kept: %s", what, imageTag, unproven), ""
	}
	return true, fmt.Sprintf("no %s of the repository slugs to %s", what, imageTag), ""
}

// commitGone: a commit image goes when no commit of a complete clone has its
// tag as id or unique prefix. It returns the full id that matched, if any.
func commitGone(imageTag string, git Git) (gone bool, reason, sha string) {
	if !isCommitID(imageTag) {
		return false, fmt.Sprintf("%q is not a commit id (4 to 64 hex digits): kept", imageTag), ""
	}
	switch matches := git.commitsWithPrefix(imageTag); {
	case len(matches) == 1:
		return false, "commit is in the repository", matches[0]
	case len(matches) > 1:
		return false, fmt.Sprintf("%s is a prefix of %d commits: kept", imageTag, len(matches)), ""
	case git.Unproven.Commits != "":
		return false, fmt.Sprintf("commit %s is not here, but kept: %s", imageTag, git.Unproven.Commits), ""
	}
	return true, "commit " + imageTag + " is not in the repository", ""
}

// isCommitID reports whether s can name a commit: git's shortest
// abbreviation to a full SHA-256 id, in lowercase hex.
func isCommitID(s string) bool {
	if len(s) < 4 || len(s) > 64 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}

// commitsWithPrefix lists the commits whose id starts with prefix, at most two.
func (g Git) commitsWithPrefix(prefix string) []string {
	i := sort.SearchStrings(g.Commits, prefix)
	var out []string
	for ; i < len(g.Commits) && len(out) < 2 && strings.HasPrefix(g.Commits[i], prefix); i++ {
		out = append(out, g.Commits[i])
	}
	return out
}
