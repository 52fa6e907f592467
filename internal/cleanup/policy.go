// Package cleanup decides which published images the git history no longer
// needs, from the meta-information labels alone, so that it never touches
// what shiptag did not publish, and deletes them by the registry's means.
//
// It is the one part of shiptag that destroys data, so three rules come
// before every policy, and each one keeps what it cannot prove: a tag is
// judged only when its labels describe that very tag (identity); a branch,
// git tag or commit is gone only when the clone is known to hold them all
// (proof of absence); an age limit never acts on a time that is missing,
// zero, before 1980 or in the future (trustworthy time).
package cleanup

import (
	"fmt"
	"time"
)

// Item is one tag in scope, with what its image's labels say.
type Item struct {
	Ref        string // REPOSITORY:TAG
	Repository string
	Tag        string
	Prefix     string // the monorepo "IMG-" prefix of the scope, if any
	Digest     string
	Image      string // the given image it belongs to
	Strategy   string // werf-tag-strategy; "" for what shiptag did not publish
	ImageTag   string // werf-image-tag: the tag before any monorepo prefix
	// Describes is werf-docker-image-name: the reference the labels were
	// written for.
	Describes string
	// WerfImage is the werf-image label: "false" on stages.
	WerfImage string
	Created   time.Time // the image's own time (its created label, else config)
	// LabelErr is why the labels could not be read: such a tag is kept.
	LabelErr error
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
	// age is the time the limits rank and expire by; zero when unknown.
	age time.Time
}

// Decide applies the policies; the count and age limits hold per image,
// over the git-tag and git-commit images that git still needs.
func Decide(items []Item, git Git, p Policy, now time.Time) []Decision {
	out := make([]Decision, 0, len(items))
	survivors := map[[2]string][]int{} // {strategy, image} → indexes into out
	for _, it := range items {
		d := decideOne(it, git, now)
		out = append(out, d)
		if !d.Delete && (d.Policy == "git-tag" || d.Policy == "git-commit") {
			key := [2]string{it.Strategy, it.Image}
			survivors[key] = append(survivors[key], len(out)-1)
		}
	}
	for key, idx := range survivors {
		if key[0] == "git-tag" {
			limit(out, idx, p.GitTagLimit, p.GitTagExpiryDays, now)
		} else {
			limit(out, idx, p.GitCommitLimit, p.GitCommitExpiryDays, now)
		}
	}
	return out
}

// decideOne applies the scope and identity rules, then the git policy of
// the item's strategy.
func decideOne(it Item, git Git, now time.Time) Decision {
	d := Decision{Item: it}
	if policy, reason := outOfScope(it); policy != "" {
		d.Policy, d.Reason = policy, reason
		return d
	}
	d.Policy = it.Strategy
	switch it.Strategy {
	case "git-branch":
		d.Delete, d.Reason, _ = nameGone(it.ImageTag, git.Branches, "branch", git.Unproven.Branches)
	case "git-tag":
		var name string
		d.Delete, d.Reason, name = nameGone(it.ImageTag, git.Tags, "git tag", git.Unproven.Tags)
		d.age = ageOf(now, it.Created, git.TagDates[name])
	case "git-commit":
		var sha string
		d.Delete, d.Reason, sha = commitGone(it.ImageTag, git)
		d.age = ageOf(now, it.Created, git.CommitDates[sha])
	}
	return d
}

// outOfScope names the rule that keeps an item whatever git says, or "".
func outOfScope(it Item) (policy, reason string) {
	switch {
	case it.LabelErr != nil:
		return "fail closed", fmt.Sprintf("labels could not be read: %v", it.LabelErr)
	case isStage(it):
		return "scope", "a stage (build cache), not a published image"
	case it.Strategy == "":
		return "scope", "no werf-tag-strategy label: not published by shiptag or werf (exported or foreign)"
	}
	if why := identityMismatch(it); why != "" {
		return "identity", why
	}
	switch it.Strategy {
	case "custom":
		return "custom", "custom tags are never deleted"
	case "git-branch", "git-tag", "git-commit":
		return "", ""
	}
	return "scope", fmt.Sprintf("unknown strategy %q: kept", it.Strategy)
}
