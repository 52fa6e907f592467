package publish

import (
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/shiptag/shiptag/internal/labels"
	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/source"
)

// Meta is the meta-information every published image gets.
type Meta struct {
	Mode      labels.Mode
	Revision  string
	SourceURL string
	Created   *time.Time
	User      []labels.Pair
	// Annotations go on the manifests (and an index) by level.
	Annotations labels.Annotations
}

// Targets makes one target per reference of the plan. sources holds the
// opened artifact of each plan image, by index. In per-tag mode each tag gets
// its own labelled artifact; otherwise all tags of an image share one.
// nameOpts gives the options to parse a reference with (insecure registries).
func Targets(p plan.Plan, sources []source.Artifact, meta Meta, nameOpts func(ref string) []name.Option) ([]Target, error) {
	var targets []Target
	for i, img := range p.Images {
		info := labels.Image{Name: img.Name, Revision: meta.Revision, SourceURL: meta.SourceURL, Created: meta.Created, User: meta.User}
		var shared *source.Artifact
		for _, r := range img.Refs {
			ref, err := name.NewTag(r.Ref, nameOpts(r.Ref)...)
			if err != nil {
				return nil, fmt.Errorf("reference %q: %w", r.Ref, err)
			}
			if shared != nil {
				targets = append(targets, Target{Ref: ref, Artifact: *shared, Image: img.Name})
				continue
			}
			a := sources[i]
			if !labels.Unchanged(meta.Mode, info, meta.Annotations) {
				tag := &labels.Tag{Tag: r.Tag.Value, Strategy: string(r.Tag.Strategy), Ref: r.Ref}
				if a, err = labels.Apply(a, meta.Mode.Editor(info, tag), meta.Annotations); err != nil {
					return nil, fmt.Errorf("image %s: labelling %s: %w", img.String(), r.Ref, err)
				}
			}
			if meta.Mode != labels.PerTag {
				shared = &a
			}
			targets = append(targets, Target{Ref: ref, Artifact: a, Image: img.Name})
		}
	}
	return targets, nil
}

// DigestTargets makes one target per plan image for --push-by-digest: the
// opened source as it is, in the image's repository, under its own digest.
// A single image's config is read here, before anything is pushed: the
// outputs name its platform (see fillByDigest), and a registry source's
// config is not read on opening.
func DigestTargets(p plan.Plan, sources []source.Artifact, nameOpts func(ref string) []name.Option) ([]Target, error) {
	targets := make([]Target, 0, len(p.Images))
	for i, img := range p.Images {
		a := sources[i]
		if a.Image != nil {
			if _, err := a.Image.ConfigFile(); err != nil {
				return nil, fmt.Errorf("image %s: reading its config: %w", img.String(), err)
			}
		}
		d, err := a.Digest()
		if err != nil {
			return nil, err
		}
		s := img.Repository + "@" + d.String()
		ref, err := name.NewDigest(s, nameOpts(s)...)
		if err != nil {
			return nil, fmt.Errorf("reference %q: %w", s, err)
		}
		targets = append(targets, Target{Ref: ref, Artifact: a, Image: img.Name})
	}
	return targets, nil
}

// FillDigests records each target's digest in the plan: per reference, and
// per image the digest and image ID (config digest, or an index's digest)
// of its first reference. Targets are matched to the
// plan's references by reference, whatever their order (stages come after).
func FillDigests(p *plan.Plan, targets []Target) error {
	byRef := make(map[string]Target, len(targets))
	for _, t := range targets {
		byRef[t.Ref.String()] = t
	}
	for i := range p.Images {
		if len(p.Images[i].Refs) == 0 {
			if err := fillByDigest(&p.Images[i], targets); err != nil {
				return err
			}
			continue
		}
		for j := range p.Images[i].Refs {
			r := &p.Images[i].Refs[j]
			t, ok := byRef[r.Ref]
			if !ok {
				return fmt.Errorf("no target was made for %s", r.Ref)
			}
			d, err := t.Digest()
			if err != nil {
				return err
			}
			r.Digest = d.String()
			if j == 0 {
				if err := fillImage(&p.Images[i], t.Artifact, d.String()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// fillByDigest records an image pushed by digest (no references) from its
// target, with a single image's platform: one platform of a multi-runner
// build says which it is, so that the jobs of a matrix hand on their digests
// apart.
func fillByDigest(img *plan.Image, targets []Target) error {
	for _, t := range targets {
		if _, byDigest := t.Ref.(name.Digest); !byDigest || t.Image != img.Name {
			continue
		}
		d, err := t.Digest()
		if err != nil {
			return err
		}
		if err := fillImage(img, t.Artifact, d.String()); err != nil || t.Artifact.Image == nil {
			return err
		}
		cf, err := t.Artifact.Image.ConfigFile()
		if err != nil {
			return err
		}
		if pl := cf.Platform(); pl != nil && pl.OS != "" {
			img.Platforms = []plan.PlatformDigest{{Platform: pl.String(), Digest: d.String()}}
		}
		return nil
	}
	return nil
}

// fillImage records an image's digest, its image ID (the config's digest,
// or an index's own) and, for an index, each platform image's digest.
func fillImage(img *plan.Image, a source.Artifact, digest string) error {
	img.Digest, img.ImageID, img.Platforms = digest, digest, nil
	if a.Image != nil {
		// The manifest names the config: a registry source's config need
		// not be in yet (ConfigName would read it, a round trip).
		m, err := a.Image.Manifest()
		if err != nil {
			return err
		}
		img.ImageID = m.Config.Digest.String()
		return nil
	}
	return source.EachImage(a, func(d v1.Descriptor, _ v1.Image) error {
		if d.Platform != nil && d.Annotations["vnd.docker.reference.type"] == "" {
			img.Platforms = append(img.Platforms, plan.PlatformDigest{Platform: d.Platform.String(), Digest: d.Digest.String()})
		}
		return nil
	})
}
