package cleanup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrTagDeleteUnsupported is what a Deleter returns when its registry
// cannot remove a tag without removing the manifest it points at.
var ErrTagDeleteUnsupported = errors.New("the registry cannot delete a tag alone")

// ErrDigestDeleteUnsupported is what a Deleter returns when its registry
// deletes tags only, never a manifest by digest.
var ErrDigestDeleteUnsupported = errors.New("the registry cannot delete a manifest by digest")

// Deleter removes tags and manifests. The registry's OCI API is one; the
// native APIs of registries that refuse it are the others.
type Deleter interface {
	// DeleteTag removes one tag; a tag already gone is not an error.
	DeleteTag(ctx context.Context, repository, tag string) error
	// DeleteDigest removes a manifest and every tag on it; a manifest
	// already gone is not an error.
	DeleteDigest(ctx context.Context, repository, digest string) error
}

// Resolve notes, for each deletion, the tags that are kept but point at the
// same manifest: then the manifest itself must stay, so the tag can go only
// where the registry deletes tags alone.
func Resolve(inv Inventory, decisions []Decision) {
	going := map[string]bool{}
	for _, d := range decisions {
		if d.Delete {
			going[d.Item.Ref] = true
		}
	}
	for i := range decisions {
		d := &decisions[i]
		if !d.Delete {
			continue
		}
		if inv.Unread[d.Item.Repository] {
			d.SharedWith = []string{"(a tag of " + d.Item.Repository + " that could not be read)"}
			continue
		}
		for _, t := range inv.Digests[d.Item.Repository+"@"+d.Item.Digest] {
			if ref := d.Item.Repository + ":" + t; !going[ref] {
				d.SharedWith = append(d.SharedWith, t)
			}
		}
	}
}

// Apply carries out the deletions: by tag, else by digest when no kept tag
// shares it (Resolve), else the tag is kept and the decision says why. It
// goes on after a failure and returns every failure.
func Apply(ctx context.Context, del Deleter, decisions []Decision) error {
	var errs []error
	for i := range decisions {
		d := &decisions[i]
		if !d.Delete {
			continue
		}
		err := del.DeleteTag(ctx, d.Item.Repository, d.Item.Tag)
		if errors.Is(err, ErrTagDeleteUnsupported) {
			if len(d.SharedWith) > 0 {
				d.Delete = false
				d.Reason += fmt.Sprintf("; kept: the registry deletes only whole manifests, and %s also point(s) at %s",
					strings.Join(d.SharedWith, ", "), d.Item.Digest)
				continue
			}
			err = del.DeleteDigest(ctx, d.Item.Repository, d.Item.Digest)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("deleting %s: %w", d.Item.Ref, err))
			d.Failed = true
			continue
		}
		d.Deleted = true
	}
	return errors.Join(errs...)
}

// Deleted lists the references that are gone.
func Deleted(decisions []Decision) []string {
	var refs []string
	for _, d := range decisions {
		if d.Deleted {
			refs = append(refs, d.Item.Ref)
		}
	}
	slices.Sort(refs)
	return refs
}

// Unread is the error of a plan that kept tags because their labels could
// not be read: the plan stands, but the run did not see everything, so it
// must not look like a clean success. nil when every tag was read.
func Unread(decisions []Decision) error {
	var first error
	n := 0
	for _, d := range decisions {
		if d.Item.LabelErr != nil {
			if n++; first == nil {
				first = fmt.Errorf("%s: %w", d.Item.Ref, d.Item.LabelErr)
			}
		}
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("kept %d tag(s) whose labels could not be read, so the plan is incomplete; run cleanup again: the first, %w", n, first)
}
