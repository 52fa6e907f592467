package cleanup

import (
	"context"
	"fmt"
	"strings"
)

// RunGit runs one git command in the repository and returns its standard
// output; ci.ExecGit is the real one.
type RunGit func(ctx context.Context, args ...string) (string, error)

// ShallowError is a shallow clone: its missing history would look deleted,
// so cleanup refuses it.
type ShallowError struct{}

// Error says how to get the whole history on each CI platform.
func (ShallowError) Error() string {
	return "the git repository is a shallow clone, so commits and branches it lacks would look deleted; " +
		"fetch the whole history: on GitHub, actions/checkout with fetch-depth: 0; on GitLab, variables: GIT_DEPTH: 0; " +
		"locally, git fetch --unshallow"
}

// ReadGit reads the repository's branches (its remote-tracking branches,
// or its local ones when it has none), tags and every reachable commit.
func ReadGit(ctx context.Context, git RunGit) (Git, error) {
	shallow, err := git(ctx, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return Git{}, fmt.Errorf("reading the git repository: %w", err)
	}
	if shallow == "true" {
		return Git{}, ShallowError{}
	}
	var g Git
	if g.Branches, err = refNames(ctx, git, "refs/remotes"); err == nil && len(g.Branches) == 0 {
		g.Branches, err = refNames(ctx, git, "refs/heads")
	}
	if err == nil {
		g.Tags, err = refNames(ctx, git, "refs/tags")
	}
	if err != nil {
		return Git{}, err
	}
	commits, err := git(ctx, "rev-list", "--all")
	if err != nil {
		return Git{}, fmt.Errorf("listing the git commits: %w", err)
	}
	set := map[string]bool{}
	for _, c := range strings.Fields(commits) {
		set[c] = true
	}
	g.HasCommit = func(sha string) bool { return set[sha] }
	return g, nil
}

// refNames lists the short names under prefix: "origin/feature/a" becomes
// "feature/a" for remote-tracking refs; a remote's HEAD is not a branch.
func refNames(ctx context.Context, git RunGit, prefix string) ([]string, error) {
	out, err := git(ctx, "for-each-ref", "--format=%(refname)", prefix)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", prefix, err)
	}
	var names []string
	for _, ref := range strings.Fields(out) {
		n := strings.TrimPrefix(ref, prefix+"/")
		if prefix == "refs/remotes" {
			_, n, _ = strings.Cut(n, "/")
			if n == "HEAD" || n == "" {
				continue
			}
		}
		names = append(names, n)
	}
	return names, nil
}
