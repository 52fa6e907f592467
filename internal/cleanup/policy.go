// Package cleanup decides which published images the git history no longer
// needs, from the meta-information labels alone, so that it never touches
// what shiptag did not publish, and deletes them by the registry's means.
package cleanup

import (
	"fmt"
	"sort"
	"time"

	"github.com/shiptag/shiptag/internal/slug"
)

// Item is one tag in scope, with what its image's labels say.
type Item struct {
	Ref        string // REPOSITORY:TAG
	Repository string
	Tag        string
	Digest     string
	Image      string // the given image it belongs to
	Strategy   string // werf-tag-strategy; "" for what shiptag did not publish
	ImageTag   string // werf-image-tag: the tag before any monorepo prefix
	Stage      bool   // a stage pushed by publish --stages (werf-stage-signature)
	Created    time.Time
	// LabelErr is why the labels could not be read: such a tag is kept.
	LabelErr error
}

// Git is what the repository holds.
type Git struct {
	Branches, Tags []string
	// BranchesPartial says the clone may lack branches (GitLab fetches only
	// the pipeline's): then no git-branch image is deleted.
	BranchesPartial string
	// HasCommit reports whether a commit is in the repository.
	HasCommit func(sha string) bool
}

// Policy is werf's cleanup policies: per strategy a count limit and an age
// limit in days (-1: no limit).
type Policy struct {
	GitTagLimit, GitTagExpiryDays       int
	GitCommitLimit, GitCommitExpiryDays int
}

// Decision says what happens to one item, and why.
type Decision struct {
	Item   Item
	Delete bool   // the plan: delete it
	Policy string // which rule decided
	Reason string
	// SharedWith are kept tags on the same manifest (see Resolve).
	SharedWith []string
	// Deleted and Failed say what Apply did.
	Deleted, Failed bool
}

// Decide applies the policies; the count and age limits hold per image.
// Tags without a strategy (exported, foreign), stages, custom tags and tags
// whose labels could not be read or lack werf-image-tag are kept.
func Decide(items []Item, git Git, p Policy, now time.Time) []Decision {
	var out []Decision
	survivors := map[[2]string][]int{} // {strategy, image} → indexes into out, still kept after the git check
	for _, it := range items {
		d := Decision{Item: it}
		switch {
		case it.LabelErr != nil:
			d.Policy, d.Reason = "fail closed", fmt.Sprintf("labels could not be read: %v", it.LabelErr)
		case it.Stage:
			d.Policy, d.Reason = "scope", "a stage (build cache), not a published image"
		case it.Strategy == "":
			d.Policy, d.Reason = "scope", "no werf-tag-strategy label: not published by shiptag or werf (exported or foreign)"
		case it.Strategy == "custom":
			d.Policy, d.Reason = "custom", "custom tags are never deleted"
		case it.ImageTag == "":
			d.Policy, d.Reason = "fail closed", "no werf-image-tag label to compare with git"
		case it.Strategy == "git-branch" && git.BranchesPartial != "":
			d.Policy, d.Reason = "git-branch", "kept: "+git.BranchesPartial
		case it.Strategy == "git-branch":
			d.Policy = "git-branch"
			d.Delete, d.Reason = gitNameGone(it.ImageTag, git.Branches, "branch")
		case it.Strategy == "git-tag":
			d.Policy = "git-tag"
			d.Delete, d.Reason = gitNameGone(it.ImageTag, git.Tags, "git tag")
		case it.Strategy == "git-commit":
			d.Policy, d.Reason = "git-commit", "commit is in the repository"
			if git.HasCommit != nil && !git.HasCommit(it.ImageTag) {
				d.Delete, d.Reason = true, "commit "+it.ImageTag+" is not in the repository"
			}
		default:
			d.Policy, d.Reason = "scope", fmt.Sprintf("unknown strategy %q: kept", it.Strategy)
		}
		out = append(out, d)
		if !d.Delete && (d.Policy == "git-tag" || d.Policy == "git-commit") {
			key := [2]string{it.Strategy, it.Image}
			survivors[key] = append(survivors[key], len(out)-1)
		}
	}
	for key, idx := range survivors { // the limits hold per image
		if key[0] == "git-tag" {
			limit(out, idx, p.GitTagLimit, p.GitTagExpiryDays, now)
		} else {
			limit(out, idx, p.GitCommitLimit, p.GitCommitExpiryDays, now)
		}
	}
	return out
}

// gitNameGone: an image tagged after a branch or git tag goes when no name
// of the repository slugs to its tag under either rule.
func gitNameGone(imageTag string, names []string, what string) (bool, string) {
	for _, n := range names {
		if slug.Strict.Apply(n) == imageTag || slug.DockerTag.Apply(n) == imageTag {
			return false, fmt.Sprintf("%s %s is in the repository", what, n)
		}
	}
	return true, fmt.Sprintf("no %s of the repository slugs to %s", what, imageTag)
}

// limit keeps the newest count items and those younger than days.
func limit(out []Decision, idx []int, count, days int, now time.Time) {
	sort.SliceStable(idx, func(a, b int) bool { return out[idx[a]].Item.Created.After(out[idx[b]].Item.Created) })
	for rank, i := range idx {
		d := &out[i]
		switch {
		case count >= 0 && rank >= count:
			d.Delete, d.Policy, d.Reason = true, d.Policy+" limit", fmt.Sprintf("beyond the %d newest", count)
		case days >= 0 && now.Sub(d.Item.Created) > time.Duration(days)*24*time.Hour:
			d.Delete, d.Policy, d.Reason = true, d.Policy+" expiry", fmt.Sprintf("older than %d days", days)
		}
	}
}
