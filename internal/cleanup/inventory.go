package cleanup

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/shiptag/shiptag/internal/labels"
)

// Registry is what cleanup reads from a registry.
type Registry interface {
	// Tags lists a repository's tags.
	Tags(ctx context.Context, repository string) ([]string, error)
	// Manifest reads what a tag points at.
	Manifest(ctx context.Context, ref string) (Manifest, error)
	// Referrers lists the manifests whose subject is digest (signatures,
	// SBOMs, attestations): the referrers API, else the tag schema.
	Referrers(ctx context.Context, repository, digest string) ([]string, error)
}

// Manifest is what a tag points at, as cleanup needs it.
type Manifest struct {
	Digest string
	// Labels are its image's (the first platform's, for an index).
	Labels  map[string]string
	Created time.Time
	// Children are an index's manifests, which stay while it does.
	Children []string
}

// Scope is one given image: the tags of Repository that start with Prefix
// (monorepo: "IMG-") and whose labels name Image.
type Scope struct {
	Image, Repository, Prefix string
}

// Inventory is every tag of the repositories in scope: Items are those of
// the given images; Tags maps each repository's digests to all their tags,
// in scope or not, which deleting by digest must account for.
type Inventory struct {
	Items []Item
	// Digests maps "REPOSITORY@DIGEST" to the tags that point at it.
	Digests map[string][]string
	// Unread lists the repositories with a tag whose digest is unknown:
	// nothing there is deleted by digest.
	Unread map[string]bool
	// Parents maps "REPOSITORY@DIGEST" to the tags of the indexes that
	// hold it.
	Parents map[string][]string
	// TagDigests maps "REPOSITORY:TAG" to the digest it points at.
	TagDigests map[string]string
}

// ListError is a repository whose tags could not be listed: nothing is
// deleted then, since what is left cannot be known.
type ListError struct {
	Repository string
	Err        error
}

// Error names the repository.
func (e *ListError) Error() string {
	return fmt.Sprintf("listing the tags of %s: %v", e.Repository, e.Err)
}

// Unwrap returns the registry's error.
func (e *ListError) Unwrap() error { return e.Err }

// entry is one tag as read.
type entry struct {
	repository, tag string
	Manifest
	err error
}

// Read lists the tags of every scope's repository and reads each tag's
// manifest, jobs at a time. A tag that cannot be read is kept (fail closed).
func Read(ctx context.Context, reg Registry, scopes []Scope, jobs int) (Inventory, error) {
	entries, err := listAll(ctx, reg, scopes, jobs)
	if err != nil {
		return Inventory{}, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(jobs, 1))
	for _, e := range entries {
		g.Go(func() error { // each goroutine fills only its own entry
			e.Manifest, e.err = reg.Manifest(gctx, e.repository+":"+e.tag)
			return nil
		})
	}
	_ = g.Wait() // per-tag errors are kept in the entries
	return assemble(entries, scopes), nil
}

// listAll lists the tags of each scope's repository once, jobs at a time,
// as entries in scope order. The first repository (in that order) that
// cannot be listed is the error.
func listAll(ctx context.Context, reg Registry, scopes []Scope, jobs int) ([]*entry, error) {
	var repos []string
	seen := map[string]bool{}
	for _, s := range scopes {
		if !seen[s.Repository] {
			seen[s.Repository] = true
			repos = append(repos, s.Repository)
		}
	}
	tags := make([][]string, len(repos)) // each goroutine writes its own element
	errs := make([]error, len(repos))
	var g errgroup.Group
	g.SetLimit(max(jobs, 1))
	for i, repo := range repos {
		g.Go(func() error {
			tags[i], errs[i] = reg.Tags(ctx, repo)
			return nil
		})
	}
	_ = g.Wait() // errors are kept per repository, to report the first in order
	var entries []*entry
	for i, repo := range repos {
		if errs[i] != nil {
			return nil, &ListError{Repository: repo, Err: errs[i]}
		}
		for _, t := range tags[i] {
			entries = append(entries, &entry{repository: repo, tag: t})
		}
	}
	return entries, nil
}

// assemble sorts the entries into the inventory.
func assemble(entries []*entry, scopes []Scope) Inventory {
	inv := Inventory{Digests: map[string][]string{}, Unread: map[string]bool{}, Parents: map[string][]string{}, TagDigests: map[string]string{}}
	for _, e := range entries {
		if e.err != nil {
			inv.Unread[e.repository] = true
		} else {
			key := e.repository + "@" + e.Digest
			inv.Digests[key] = append(inv.Digests[key], e.tag)
			inv.TagDigests[e.repository+":"+e.tag] = e.Digest
			for _, c := range e.Children {
				inv.Parents[e.repository+"@"+c] = append(inv.Parents[e.repository+"@"+c], e.tag)
			}
		}
		for _, s := range scopes {
			if s.Repository != e.repository || !strings.HasPrefix(e.tag, s.Prefix) {
				continue
			}
			if e.err == nil && e.Labels[labels.KeyTagStrategy] != "" && e.Labels[labels.KeyImageName] != s.Image {
				continue // another image's tag that happens to share the prefix
			}
			inv.Items = append(inv.Items, e.item(s))
			break
		}
	}
	sort.SliceStable(inv.Items, func(a, b int) bool { return inv.Items[a].Ref < inv.Items[b].Ref })
	return inv
}

func (e *entry) item(s Scope) Item {
	it := Item{Ref: e.repository + ":" + e.tag, Repository: e.repository, Tag: e.tag, Prefix: s.Prefix, Image: s.Image,
		Digest: e.Digest, LabelErr: e.err}
	if e.err != nil {
		return it
	}
	it.Strategy, it.ImageTag = e.Labels[labels.KeyTagStrategy], e.Labels[labels.KeyImageTag]
	it.Describes, it.WerfImage = e.Labels[labels.KeyDockerImageName], e.Labels[labels.KeyImage]
	it.Created = e.Created
	if t, err := time.Parse(time.RFC3339, e.Labels[labels.KeyCreated]); err == nil {
		it.Created = t
	}
	return it
}
