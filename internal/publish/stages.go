package publish

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/source"
	"github.com/shiptag/shiptag/internal/stages"
)

// StageTargets records every image's stages in the plan, as references in
// the images repo itself whatever the image name or repo mode, and returns
// one target per distinct stage: images that share a prefix of layers share
// those stages. sources holds the opened artifact of each plan image.
func StageTargets(p *plan.Plan, sources []source.Artifact, nameOpts func(string) []name.Option) ([]Target, error) {
	var targets []Target
	seen := map[string]bool{}
	for i := range p.Images {
		img := &p.Images[i]
		st, err := stages.OfArtifact(sources[i])
		if err != nil {
			return nil, fmt.Errorf("stages of image %s: %w", img.String(), err)
		}
		for _, s := range st {
			ref := p.Repo.Name + ":" + s.Tag()
			d, err := s.Image.Digest()
			if err != nil {
				return nil, err
			}
			img.Stages = append(img.Stages, plan.StageRef{Signature: s.Signature, Ref: ref, Digest: d.String()})
			if seen[ref] {
				continue
			}
			seen[ref] = true
			tag, err := name.NewTag(ref, nameOpts(ref)...)
			if err != nil {
				return nil, fmt.Errorf("stage reference %q: %w", ref, err)
			}
			targets = append(targets, Target{Ref: tag, Artifact: source.Artifact{Image: s.Image}, Image: img.Name})
		}
	}
	return targets, nil
}
