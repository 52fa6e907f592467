package main

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/publish"
	"github.com/shiptag/shiptag/internal/source"
)

// referrersAfterPush returns what publish does once its targets are
// written: every image published unchanged from a registry source
// (--meta-labels none, a promotion) gets the source's signatures, SBOMs and
// attestations beside it. They are read from now on, while the targets are
// written (a dry run reads nothing). An image whose digest changed cannot
// carry them; when its source has any, the log says so, and fix: how to
// keep the digest, or sign instead.
func referrersAfterPush(ctx context.Context, j *pushJob, p plan.Plan, artifacts []source.Artifact, targets []publish.Target, fix string) func(context.Context) error {
	if j.cfg.DryRun {
		return nil
	}
	var promos []publish.Promotion
	var changed []int // images whose digest changed, by index
	for i, img := range p.Images {
		from, ok := registrySource(j, img, artifacts[i])
		if !ok {
			continue
		}
		moved, differs := promotionsOf(from, img.Name, targets)
		promos = append(promos, moved...)
		if len(moved) == 0 && differs {
			changed = append(changed, i)
		}
	}
	found := publish.FindReferrers(ctx, promos, j.access.RemoteOptions(), j.jobs)
	return func(ctx context.Context) error {
		for _, i := range changed {
			from, _ := registrySource(j, p.Images[i], artifacts[i])
			warnReferrersLeft(ctx, j, p.Images[i], from, fix)
		}
		n, err := found.Copy(ctx, func(err error) {
			j.warn(fmt.Sprintf("%v: the source's signatures and attestations there were not copied (--referrers=false skips this)", err))
		})
		if n > 0 {
			fmt.Fprintf(j.e.stderr, "shiptag: copied %d signatures, SBOMs and attestations beside the images promoted unchanged\n", n)
		}
		return err
	}
}

// registrySource is an image's one registry source, by digest.
func registrySource(j *pushJob, img plan.Image, a source.Artifact) (name.Digest, bool) {
	if len(img.Sources) != 1 {
		return name.Digest{}, false
	}
	src, err := source.Parse(img.Sources[0])
	if err != nil || src.Transport != source.Registry {
		return name.Digest{}, false
	}
	ref, err := name.ParseReference(src.Path, j.access.NameOptions(src.Path)...)
	d, derr := a.Digest()
	if err != nil || derr != nil {
		return name.Digest{}, false
	}
	return ref.Context().Digest(d.String()), true
}

// promotionsOf lists the repositories the image went to with the source's
// own digest, once each, and reports whether some target got another. The
// source's own repository is not one: what refers to the image is there
// already, and reading it would cost a new tag there requests for nothing.
func promotionsOf(from name.Digest, image string, targets []publish.Target) (moved []publish.Promotion, changed bool) {
	seen := map[string]bool{from.Context().String(): true}
	for _, t := range targets {
		if t.Image != image {
			continue
		}
		d, err := t.Digest()
		switch {
		case err != nil || d.String() != from.DigestStr():
			changed = true
		case !seen[t.Ref.Context().String()]:
			seen[t.Ref.Context().String()] = true
			moved = append(moved, publish.Promotion{From: from, To: t.Ref.Context()})
		}
	}
	return moved, changed
}

// warnReferrersLeft says that the source's referrers stay behind.
func warnReferrersLeft(ctx context.Context, j *pushJob, img plan.Image, from name.Digest, fix string) {
	idx, err := remote.Referrers(from, append(j.access.RemoteOptions(), remote.WithContext(ctx))...)
	if err != nil {
		return
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) == 0 {
		return
	}
	w := fmt.Sprintf("image %s: the source's %d signatures and attestations do not follow, since the written digest is not the source's "+
		"(its labels changed): %s", img, len(im.Manifests), fix)
	j.warn(w)
}
