package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/labels"
	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/publish"
	"github.com/shiptag/shiptag/internal/slug"
	"github.com/shiptag/shiptag/internal/source"
	"github.com/shiptag/shiptag/internal/tagging"
)

// Image is one image to export: its name and its opened source.
type Image struct {
	Name     string
	Sources  []string
	Artifact source.Artifact
}

// ContentBasedTag is %image_content_based_tag%: the first 32 hex digits of
// the SHA-256 digest of the exported image's manifest (its index, for a
// multi-platform image), after the label changes. The same content gives the
// same tag on every run and machine, and the tag names its digest's prefix.
func ContentBasedTag(d v1.Hash) string {
	return d.Hex[:32]
}

// Targets labels every image for export (every werf* label removed, then the
// user's labels in order), expands every template for it, and validates all
// of it: one target per reference, and the plan that outputs are made from.
func Targets(images []Image, templates []Template, user []labels.Pair, nameOpts func(string) []name.Option) ([]publish.Target, plan.Plan, error) {
	if err := CheckTemplates(templates, len(images)); err != nil {
		return nil, plan.Plan{}, err
	}
	var targets []publish.Target
	var p plan.Plan
	owner := map[string]string{} // reference → the image it belongs to
	for _, img := range images {
		a, err := labels.Apply(img.Artifact, func(l map[string]string, _ time.Time) {
			labels.Clean(l)
			for _, pair := range user {
				l[pair.Key] = pair.Value
			}
		}, labels.Annotations{})
		if err != nil {
			return nil, plan.Plan{}, fmt.Errorf("labelling image %q: %w", img.Name, err)
		}
		d, err := a.Digest()
		if err != nil {
			return nil, plan.Plan{}, err
		}
		values := map[string]string{ShortcutImage: img.Name, ShortcutImageSlug: slug.Slugify(img.Name),
			ShortcutImageSafeSlug: slug.DockerTag.Apply(img.Name), ShortcutContentBasedTag: ContentBasedTag(d)}
		pi := plan.Image{Name: img.Name, Sources: img.Sources}
		for _, t := range templates {
			ref, err := expandRef(t, img.Name, values, owner, nameOpts)
			if err != nil {
				return nil, plan.Plan{}, err
			}
			if pi.Repository == "" {
				pi.Repository = ref.Context().String()
			}
			pi.Refs = append(pi.Refs, plan.Ref{Tag: tagging.Tag{Value: ref.TagStr()}, Ref: ref.String()})
			targets = append(targets, publish.Target{Ref: ref, Artifact: a, Image: img.Name})
		}
		p.Images = append(p.Images, pi)
	}
	return targets, p, nil
}

// CheckTemplates refuses no template at all, and, with several images, a
// template that does not tell them apart.
func CheckTemplates(templates []Template, images int) error {
	if len(templates) == 0 {
		return inputs.Errorf("tag", "no template: pass --tag, e.g. --tag registry.example.com/mirror/%%image_slug%%:v1")
	}
	if images < 2 {
		return nil
	}
	for _, t := range templates {
		if !t.Uses(ShortcutImage, ShortcutImageSlug, ShortcutImageSafeSlug) {
			return inputs.Errorf("tag", "template %q names no image, so all %d images would go to one reference; put %%image%% or %%image_slug%% in it",
				t.Raw, images)
		}
	}
	return nil
}

// expandRef expands one template for one image and validates the result.
func expandRef(t Template, image string, values, owner map[string]string, nameOpts func(string) []name.Option) (name.Tag, error) {
	s, err := t.Expand(values)
	if err != nil {
		return name.Tag{}, err
	}
	bad := func(why string, args ...any) error {
		return inputs.Errorf("tag", "template %q gives %q for image %q: %s", t.Raw, s, image, fmt.Sprintf(why, args...))
	}
	host, _, hasPath := strings.Cut(s, "/")
	if !hasPath || !(host == "localhost" || strings.ContainsAny(host, ".:")) {
		return name.Tag{}, bad("it names no registry; write the registry out, for Docker Hub index.docker.io/ACCOUNT/REPO:TAG")
	}
	ref, err := name.NewTag(s, append(nameOpts(s), name.StrictValidation)...)
	if err != nil {
		return name.Tag{}, bad("not a valid reference with a tag (%v)", err)
	}
	if other, taken := owner[ref.String()]; taken && other != image {
		return name.Tag{}, bad("image %q goes there too; make the template tell them apart, e.g. with %%image_slug%%", other)
	}
	owner[ref.String()] = image
	return ref, nil
}
