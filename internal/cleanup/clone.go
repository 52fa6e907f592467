package cleanup

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// remoteConfig is the remotes part of the repository's git config.
type remoteConfig struct {
	names  []string
	fetch  map[string][]string // remote → its fetch refspecs
	tagOpt map[string]string   // remote → its tagOpt ("--no-tags", "--tags")
}

// readRemotes reads the remotes from git config (every scope, as git fetch
// sees it).
func readRemotes(ctx context.Context, git RunGit) (remoteConfig, error) {
	out, err := git(ctx, "config", "--list", "-z")
	if err != nil {
		return remoteConfig{}, fmt.Errorf("reading the git config: %w", err)
	}
	rc := remoteConfig{fetch: map[string][]string{}, tagOpt: map[string]string{}}
	for _, entry := range strings.Split(out, "\x00") {
		key, value, _ := strings.Cut(strings.TrimSpace(entry), "\n")
		rest, ok := strings.CutPrefix(key, "remote.")
		dot := strings.LastIndexByte(rest, '.')
		if !ok || dot <= 0 {
			continue
		}
		remote, variable := rest[:dot], strings.ToLower(rest[dot+1:])
		switch variable {
		case "url":
			if !slices.Contains(rc.names, remote) {
				rc.names = append(rc.names, remote)
			}
		case "fetch":
			rc.fetch[remote] = append(rc.fetch[remote], value)
		case "tagopt":
			rc.tagOpt[remote] = value
		}
	}
	return rc, nil
}

// pick chooses the remote that stands for the repository: origin, else the
// only one. With none, the clone is the repository itself; with several
// and no origin, the second result says so.
func (rc remoteConfig) pick() (remote, ambiguous string) {
	switch {
	case slices.Contains(rc.names, "origin"):
		return "origin", ""
	case len(rc.names) == 1:
		return rc.names[0], ""
	case len(rc.names) > 1:
		return "", fmt.Sprintf("the clone has several remotes (%s) and none is named origin", strings.Join(rc.names, ", "))
	}
	return "", ""
}

// fetchesAllBranches reports whether git fetch brings every branch of the
// remote: into refs/remotes/REMOTE/ (a clone), refs/heads/ (a mirror of
// branches) or with every ref (git clone --mirror).
func (rc remoteConfig) fetchesAllBranches(remote string) bool {
	for _, spec := range rc.fetch[remote] {
		switch strings.TrimPrefix(spec, "+") {
		case "refs/heads/*:refs/remotes/" + remote + "/*", "refs/heads/*:refs/heads/*", "refs/*:refs/*":
			return true
		}
	}
	return false
}

// clone is what the clone's shape says, when the remote did not answer.
type clone struct {
	shallow     bool
	remote      string // "" when the clone is the repository itself
	config      remoteConfig
	whyNoRemote string // why the remote was not asked, or could not be
	checkout    Checkout
}

// inferFromClone reads the branch names from the clone and works out, from
// its shape, which kinds of facts it can prove gone.
func (g *Git) inferFromClone(ctx context.Context, git RunGit, c clone) error {
	local, err := refNames(ctx, git, "refs/heads")
	if err != nil {
		return err
	}
	pipelines, err := refNames(ctx, git, "refs/pipelines")
	if err != nil {
		return err
	}
	g.Branches = local
	if c.remote != "" {
		tracking, err := refNames(ctx, git, "refs/remotes/"+c.remote)
		if err != nil {
			return err
		}
		g.Branches = append(g.Branches, tracking...)
	}
	slices.Sort(g.Branches)
	g.Branches = slices.Compact(g.Branches)
	g.Source = "the clone"
	if c.whyNoRemote != "" {
		g.Source += " (" + c.whyNoRemote + ")"
	}
	partial := ""
	switch {
	case c.checkout.PipelineOnly != "":
		partial = c.checkout.PipelineOnly + " checks out the pipeline's own refs only"
	case len(pipelines) > 0:
		partial = "the clone is a CI runner's checkout (it has refs/pipelines/*), which fetches the pipeline's own refs only"
	case c.shallow:
		partial = "the clone is shallow, as a CI checkout of one ref is"
	case c.remote == "" && c.whyNoRemote != "":
		partial = c.whyNoRemote
	}
	g.Unproven.Branches, g.Unproven.Tags = partial, partial
	if partial == "" && c.remote != "" {
		g.Unproven.Branches = c.branchGap()
		g.Unproven.Tags = c.tagGap(len(g.Tags))
		if g.Unproven.Branches != "" && g.Unproven.Tags == "" {
			// git fetch brings the tags that point into what it fetched.
			g.Unproven.Tags = "tags come with the branches, which the clone lacks"
		}
	}
	switch {
	case c.shallow:
		g.Unproven.Commits = "the clone is shallow"
	case g.Unproven.Branches != "" || g.Unproven.Tags != "":
		g.Unproven.Commits = "the clone lacks branches or tags, whose commits would look deleted"
	}
	return nil
}

// branchGap says why the remote's branches may be missing, or "".
func (c clone) branchGap() string {
	if c.config.fetchesAllBranches(c.remote) {
		return ""
	}
	specs := c.config.fetch[c.remote]
	if len(specs) == 0 {
		return fmt.Sprintf("the remote %s has no fetch refspec", c.remote)
	}
	return fmt.Sprintf("the remote %s fetches only %s (a single-branch clone)", c.remote, strings.Join(specs, " "))
}

// tagGap says why the remote's tags may be missing, or "".
func (c clone) tagGap(tags int) string {
	switch {
	case c.config.tagOpt[c.remote] == "--no-tags":
		return fmt.Sprintf("the remote %s is fetched with --no-tags", c.remote)
	case tags == 0:
		return fmt.Sprintf("the clone has no tags, and the remote %s was not asked whether it has some", c.remote)
	}
	return ""
}

// refNames lists the short names under prefix (without a remote's HEAD).
func refNames(ctx context.Context, git RunGit, prefix string) ([]string, error) {
	out, err := git(ctx, "for-each-ref", "--format=%(refname)", prefix)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", prefix, err)
	}
	var names []string
	for _, ref := range strings.Fields(out) {
		n := strings.TrimPrefix(ref, prefix+"/")
		if strings.HasPrefix(prefix, "refs/remotes/") && n == "HEAD" {
			continue
		}
		names = append(names, n)
	}
	return names, nil
}
