package cleanup

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RunGit runs one git command in the repository and returns its standard
// output; ci.ExecGit is the real one.
type RunGit func(ctx context.Context, args ...string) (string, error)

// Checkout is what the repository itself cannot tell about how it was made.
type Checkout struct {
	// PipelineOnly names the CI whose checkout fetches only the pipeline's
	// own refs, whatever the repository's config says (GitLab's runner):
	// then the clone proves no branch or tag gone. "" elsewhere.
	PipelineOnly string
	// RemoteTimeout bounds the question to the remote (0: no bound).
	RemoteTimeout time.Duration
}

// ReadGit reads what the repository holds and what it can prove gone. The
// branch and tag names come from the remote itself (git ls-remote) where it
// answers, else from the clone, whose shape then decides what it proves;
// commits always come from the clone, complete only when it is not shallow
// and holds every branch and tag tip.
func ReadGit(ctx context.Context, git RunGit, co Checkout) (Git, error) {
	shallow, err := git(ctx, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return Git{}, fmt.Errorf("reading the git repository: %w", err)
	}
	var g Git
	if g.Commits, g.CommitDates, err = readCommits(ctx, git); err != nil {
		return Git{}, err
	}
	var localTags []string
	if localTags, g.TagDates, err = readTags(ctx, git); err != nil {
		return Git{}, err
	}
	cfg, err := readRemotes(ctx, git)
	if err != nil {
		return Git{}, err
	}
	remote, whyNoRemote := cfg.pick()
	var asked error
	if remote != "" {
		var tips map[string]string
		if g.Branches, g.Tags, tips, asked = lsRemote(ctx, git, remote, co.RemoteTimeout); asked == nil {
			g.Source = "the remote " + remote + " (git ls-remote)"
			g.Unproven.Commits = missingCommits(shallow == "true", slices.Collect(maps.Values(tips)), g.Commits)
			for _, tag := range g.Tags { // a tag the clone lacks dates from its commit, if the clone has that
				if _, ok := g.TagDates[tag]; !ok {
					if date, ok := g.CommitDates[tips["refs/tags/"+tag]]; ok {
						g.TagDates[tag] = date
					}
				}
			}
			return g, nil
		}
		whyNoRemote = fmt.Sprintf("the remote %s could not be asked (%v)", remote, asked)
	}
	g.Tags = localTags
	err = g.inferFromClone(ctx, git, clone{shallow: shallow == "true", remote: remote, config: cfg,
		whyNoRemote: whyNoRemote, checkout: co})
	return g, err
}

// missingCommits says why the clone's commits are incomplete, given the
// remote's branch and tag tips, or "".
func missingCommits(shallow bool, tips, commits []string) string {
	if shallow {
		return "the clone is shallow"
	}
	missing := 0
	for _, t := range tips {
		if _, ok := slices.BinarySearch(commits, t); !ok {
			missing++
		}
	}
	if missing > 0 {
		return fmt.Sprintf("%d branch or tag tips of the remote are not in the clone", missing)
	}
	return ""
}

// readCommits lists every commit reachable from any ref, sorted, with its
// committer date.
func readCommits(ctx context.Context, git RunGit) ([]string, map[string]time.Time, error) {
	commits, dates, err := datedNames(ctx, git, "log", "--all", "--format=%H %ct")
	if err != nil {
		return nil, nil, fmt.Errorf("listing the git commits: %w", err)
	}
	slices.Sort(commits)
	return commits, dates, nil
}

// readTags lists the clone's tags with their dates (an annotated tag's, else
// its commit's).
func readTags(ctx context.Context, git RunGit) ([]string, map[string]time.Time, error) {
	tags, dates, err := datedNames(ctx, git, "for-each-ref", "--format=%(refname:strip=2) %(creatordate:unix)", "refs/tags")
	if err != nil {
		return nil, nil, fmt.Errorf("listing refs/tags: %w", err)
	}
	return tags, dates, nil
}

// datedNames runs a git command that prints "NAME UNIX-SECONDS" lines and
// returns the names, each once, in order, with their dates.
func datedNames(ctx context.Context, git RunGit, args ...string) ([]string, map[string]time.Time, error) {
	out, err := git(ctx, args...)
	if err != nil {
		return nil, nil, err
	}
	dates := map[string]time.Time{}
	var names []string
	for _, line := range strings.Split(out, "\n") {
		name, secs, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		if _, seen := dates[name]; !seen {
			names = append(names, name)
		}
		dates[name] = unixTime(secs)
	}
	return names, dates, nil
}

func unixTime(secs string) time.Time {
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// lsRemote asks the remote for its branches and tags, and the commits their
// refs point at (an annotated tag's peeled commit).
func lsRemote(ctx context.Context, git RunGit, remote string, timeout time.Duration) (branches, tags []string, tips map[string]string, err error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	out, err := git(ctx, "ls-remote", "--heads", "--tags", remote)
	if ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("no answer in %s (--timeout)", timeout)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	tips = map[string]string{} // ref → the commit it points at
	for _, line := range strings.Split(out, "\n") {
		sha, ref, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if !ok {
			continue
		}
		base, peeled := strings.CutSuffix(ref, "^{}")
		if !peeled {
			if name, found := strings.CutPrefix(ref, "refs/heads/"); found {
				branches = append(branches, name)
			} else if name, found := strings.CutPrefix(ref, "refs/tags/"); found {
				tags = append(tags, name)
			}
		}
		if peeled || tips[base] == "" {
			tips[base] = sha
		}
	}
	return branches, tags, tips, nil
}
