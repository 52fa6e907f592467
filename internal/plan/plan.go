// Package plan computes everything a run will publish, before any source is
// read or any registry touched: each image, the repository it goes to and
// each of its references. plan, publish and the outputs all share this one
// result, so what a dry run shows is exactly what a real run pushes.
package plan

import (
	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/naming"
	"github.com/shiptag/shiptag/internal/slug"
	"github.com/shiptag/shiptag/internal/tagging"
)

// Plan is the full list of what a run publishes.
type Plan struct {
	Repo   naming.Repo
	Images []Image
}

// Image is one image to publish and every reference it gets.
type Image struct {
	Name string // "" for the nameless image
	// Sources are where the built image is read from: one, or one per
	// platform to merge; none for plan.
	Sources    []string
	Repository string
	Refs       []Ref
	Digest     string           // filled in by publishing: its first reference's
	ImageID    string           // filled in by publishing: that image's config digest (an index's own digest)
	Platforms  []PlatformDigest // filled in by publishing, for an index: each platform image of its first reference
	Stages     []StageRef       // with --stages
}

// PlatformDigest is one platform image of a multi-platform image.
type PlatformDigest struct {
	Platform, Digest string
}

// StageRef is one of an image's stages (publish --stages), in the images repo.
type StageRef struct {
	Signature, Ref, Digest string
}

// Ref is one published reference of an image.
type Ref struct {
	Tag    tagging.Tag
	Ref    string
	Digest string // filled in by publishing
}

// RepoInputs are the settings that name the images repo, as the user wrote
// them (--repo, --registry-implementation, --repo-mode).
type RepoInputs struct {
	Repo, RegistryImplementation, RepoMode string
}

// Inputs are the settings a plan is computed from, as the user wrote them.
type Inputs struct {
	RepoInputs
	Images                                []string // NAME=SOURCE, NAME or =SOURCE
	TaggingStrategy, Slug                 string
	TagGitTag, TagGitBranch, TagGitCommit string
	TagCustom                             []string
	// RuleTags are the tags docker/metadata-action's rules (--tags) made.
	RuleTags []string
	// PushByDigest plans no tag at all: each image goes by its digest.
	PushByDigest bool
}

// New validates the inputs against the CI facts and returns the plan, or
// the first bad input as an *inputs.Error.
func New(c Inputs, facts ci.Facts) (Plan, error) {
	s, err := parseSettings(c)
	if err != nil {
		return Plan{}, err
	}
	images, err := ParseImages(c.Images)
	if err != nil {
		return Plan{}, err
	}
	repo, err := ResolveRepo(c.RepoInputs, facts)
	if err != nil {
		return Plan{}, err
	}
	params := tagging.Params{GitTag: c.TagGitTag, GitBranch: c.TagGitBranch, GitCommit: c.TagGitCommit, Custom: c.TagCustom, Rules: c.RuleTags}
	if c.PushByDigest {
		return byDigest(c, params, repo, images)
	}
	derived, err := tagging.Derive(s.strategy, facts, params)
	if err != nil {
		return Plan{}, err
	}
	tags, err := tagging.Tags(derived, params, s.rule)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{Repo: repo}
	for _, img := range images {
		if img.Repository, err = repo.Repository(img.Name); err != nil {
			return Plan{}, err
		}
		for _, t := range tags {
			ref, err := repo.Ref(img.Name, t.Value)
			if err != nil {
				return Plan{}, err
			}
			img.Refs = append(img.Refs, Ref{Tag: t, Ref: ref})
		}
		p.Images = append(p.Images, img)
	}
	return p, nil
}

// byDigest is the plan of --push-by-digest: every image in its repository,
// under no tag. A tag setting beside it is a contradiction the user must
// resolve.
func byDigest(c Inputs, params tagging.Params, repo naming.Repo, images []Image) (Plan, error) {
	if c.TaggingStrategy == string(tagging.TagOrBranch) || params.GitTag != "" || params.GitBranch != "" ||
		params.GitCommit != "" || len(params.Custom) > 0 || len(params.Rules) > 0 {
		return Plan{}, inputs.Errorf("push-by-digest", "pushes each image by its digest, under no tag, so it takes no tag "+
			"settings: drop --tagging-strategy, the --tag-* flags and --tags here, and give them to the publish that merges the platforms")
	}
	p := Plan{Repo: repo}
	for _, img := range images {
		var err error
		if img.Repository, err = repo.Repository(img.Name); err != nil {
			return Plan{}, err
		}
		p.Images = append(p.Images, img)
	}
	return p, nil
}

// ResolveRepo parses the images repo (--repo, or the CI platform's registry
// for the project) with its registry implementation and repo mode.
func ResolveRepo(c RepoInputs, facts ci.Facts) (naming.Repo, error) {
	impl, err := naming.ParseImplementation(c.RegistryImplementation)
	if err != nil {
		return naming.Repo{}, inputs.Flag("registry-implementation", err)
	}
	mode, err := naming.ParseMode(c.RepoMode)
	if err != nil {
		return naming.Repo{}, inputs.Flag("repo-mode", err)
	}
	repo := c.Repo
	if repo == "" {
		repo = facts.DefaultRepo
	}
	return naming.ParseRepo(repo, impl, mode, facts.Registry)
}

type settings struct {
	rule     slug.Rule
	strategy tagging.TaggingStrategy
}

func parseSettings(c Inputs) (settings, error) {
	var s settings
	var err error
	if s.rule, err = slug.ParseRule(c.Slug); err != nil {
		return s, inputs.Flag("slug", err)
	}
	if s.strategy, err = tagging.ParseTaggingStrategy(c.TaggingStrategy); err != nil {
		return s, inputs.Flag("tagging-strategy", err)
	}
	return s, nil
}

// Refs lists every reference of the plan, tag by tag and image by image
// within a tag, the order in which the spec's examples list them.
func (p Plan) Refs() []string {
	var refs []string
	if len(p.Images) == 0 {
		return refs
	}
	for i := range p.Images[0].Refs {
		for _, img := range p.Images {
			refs = append(refs, img.Refs[i].Ref)
		}
	}
	return refs
}

// Tags lists the distinct tag values of the plan in order.
func (p Plan) Tags() []string {
	var tags []string
	if len(p.Images) > 0 {
		for _, r := range p.Images[0].Refs {
			tags = append(tags, r.Tag.Value)
		}
	}
	return tags
}
