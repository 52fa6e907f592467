package cleanup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Orphan is a manifest that refers to a deleted image: a signature, SBOM
// or attestation the referrers API or the referrers tag schema lists, one
// of cosign's tags beside the image, or a referrer of one of those. It
// goes with the image only when nothing kept uses it; Keep says why not.
type Orphan struct {
	Of         string // the deleted tag (REPOSITORY:TAG) it belongs to
	Subject    string // the digest it refers to
	Repository string
	Digest     string
	// Tags are its own tags: cosign's sha256-<hex>.sig, .att and .sbom, or
	// the tag schema's sha256-<hex> index.
	Tags            []string
	Keep            string
	Deleted, Failed bool
}

// subjectTagSuffixes are the tags that name a subject by its digest:
// sha256-<hex> is the referrers tag schema's index, and cosign writes the
// others.
var subjectTagSuffixes = []string{"", ".sig", ".att", ".sbom"}

// subject is a manifest whose referrers are being looked for.
type subject struct{ of, repository, digest string }

// FindOrphans lists what refers to the images the plan deletes, read
// before anything is deleted, while every subject is still there. An image
// still tagged, or held by a kept index, is no orphan's subject; a referrer
// that a kept tag or index uses is listed, kept. A subject whose referrers
// cannot be listed keeps them, and its error is returned with the others.
// Listings run jobs at a time.
func FindOrphans(ctx context.Context, reg Registry, inv Inventory, decisions []Decision, jobs int) ([]Orphan, error) {
	going := goingTags(decisions, false)
	seen := map[string]bool{}
	var queue []subject
	for _, d := range decisions {
		key := d.Item.Repository + "@" + d.Item.Digest
		if going[d.Item.Ref] && !seen[key] && inUse(inv, going, d.Item.Repository, d.Item.Digest, nil) == "" {
			seen[key] = true
			queue = append(queue, subject{d.Item.Ref, d.Item.Repository, d.Item.Digest})
		}
	}
	var orphans []Orphan
	var errs []error
	for len(queue) > 0 { // one round of listings per level of referrers
		batch := queue
		queue = nil
		found, listErrs := listReferrers(ctx, reg, inv, batch, jobs)
		for i, s := range batch {
			if listErrs[i] != nil {
				errs = append(errs, fmt.Errorf("listing what refers to %s@%s (kept): %w", s.repository, s.digest, listErrs[i]))
				continue
			}
			named := subjectTags(s.digest)
			for _, digest := range found[i] {
				key := s.repository + "@" + digest
				if seen[key] {
					continue
				}
				seen[key] = true
				o := Orphan{Of: s.of, Subject: s.digest, Repository: s.repository, Digest: digest, Tags: inv.Digests[key]}
				if o.Keep = inUse(inv, going, s.repository, digest, named); o.Keep == "" {
					for _, t := range o.Tags {
						going[s.repository+":"+t] = true
					}
					queue = append(queue, subject{s.of, s.repository, digest})
				}
				orphans = append(orphans, o)
			}
		}
	}
	return orphans, errors.Join(errs...)
}

// listReferrers lists what refers to each subject, jobs at a time; each
// goroutine writes only its own elements.
func listReferrers(ctx context.Context, reg Registry, inv Inventory, subjects []subject, jobs int) ([][]string, []error) {
	found, errs := make([][]string, len(subjects)), make([]error, len(subjects))
	var g errgroup.Group
	g.SetLimit(max(jobs, 1))
	for i, s := range subjects {
		g.Go(func() error {
			found[i], errs[i] = referrersOf(ctx, reg, inv, s)
			return nil
		})
	}
	_ = g.Wait() // errors are kept per subject
	return found, errs
}

// referrersOf lists the digests that refer to s: the registry's referrers,
// then the manifests of the tags that name s by its digest.
func referrersOf(ctx context.Context, reg Registry, inv Inventory, s subject) ([]string, error) {
	found, err := reg.Referrers(ctx, s.repository, s.digest)
	if err != nil {
		return nil, err
	}
	for _, t := range subjectTags(s.digest) {
		if d, ok := inv.TagDigests[s.repository+":"+t]; ok && !slices.Contains(found, d) {
			found = append(found, d)
		}
	}
	return found, nil
}

// subjectTags are the tags that name digest, sha256-<hex> and cosign's.
func subjectTags(digest string) []string {
	base := strings.Replace(digest, ":", "-", 1)
	tags := make([]string, len(subjectTagSuffixes))
	for i, suffix := range subjectTagSuffixes {
		tags[i] = base + suffix
	}
	return tags
}

// inUse says why the manifest at repository@digest must stay: a tag that
// neither goes nor is one of allowed points at it, or such a tag's index
// holds it, or the repository has a tag that could not be read. "" when
// nothing kept uses it.
func inUse(inv Inventory, going map[string]bool, repository, digest string, allowed []string) string {
	if inv.Unread[repository] {
		return "a tag of " + repository + " could not be read, so what uses it is not known"
	}
	key := repository + "@" + digest
	for _, t := range inv.Digests[key] {
		if !going[repository+":"+t] && !slices.Contains(allowed, t) {
			return "the kept tag " + t + " points at it"
		}
	}
	for _, t := range inv.Parents[key] {
		if !going[repository+":"+t] && !slices.Contains(allowed, t) {
			return "the kept index " + t + " holds it"
		}
	}
	return ""
}

// goingTags are the references the plan deletes, or with done those Apply
// deleted.
func goingTags(decisions []Decision, done bool) map[string]bool {
	going := map[string]bool{}
	for _, d := range decisions {
		if (done && d.Deleted) || (!done && d.Delete) {
			going[d.Item.Ref] = true
		}
	}
	return going
}

// Settle keeps the orphans whose image Apply did not delete after all, or
// whose image a tag that stayed still points at.
func Settle(inv Inventory, decisions []Decision, orphans []Orphan) {
	gone := goingTags(decisions, true)
	for i := range orphans {
		o := &orphans[i]
		if o.Keep != "" {
			continue
		}
		if !gone[o.Of] {
			o.Keep = o.Of + " was not deleted"
		} else if why := inUse(inv, gone, o.Repository, inv.TagDigests[o.Of], nil); why != "" {
			o.Keep = "its image stays: " + why
		}
	}
}

// DeleteOrphans deletes the orphans that go: their tags, then the
// manifest (a registry that deletes only whole manifests removes the tags
// with it). It goes on after a failure and returns every failure.
func DeleteOrphans(ctx context.Context, del Deleter, orphans []Orphan) error {
	var errs []error
	for i := range orphans {
		o := &orphans[i]
		if o.Keep != "" {
			continue
		}
		var err error
		for _, t := range o.Tags {
			if err = del.DeleteTag(ctx, o.Repository, t); errors.Is(err, ErrTagDeleteUnsupported) {
				err = nil
			}
			if err != nil {
				break
			}
		}
		if err == nil {
			err = del.DeleteDigest(ctx, o.Repository, o.Digest)
		}
		if errors.Is(err, ErrDigestDeleteUnsupported) {
			o.Keep = "the registry deletes tags only, not an untagged manifest"
			if len(o.Tags) > 0 {
				o.Keep = "its tags are deleted, but " + o.Keep
			}
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("deleting %s@%s, which refers to %s: %w", o.Repository, o.Digest, o.Of, err))
			o.Failed = true
			continue
		}
		o.Deleted = true
	}
	return errors.Join(errs...)
}
