package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/labels"
	"github.com/shiptag/shiptag/internal/metadata"
	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/platform"
	"github.com/shiptag/shiptag/internal/publish"
)

func publishCommand() command {
	return command{
		name:    "publish",
		args:    "--image NAME=SOURCE... [flags]",
		summary: "push already-built images under every planned reference",
		about: "Publish reads each image from its source (oci:DIR[:REF], oci-archive:FILE, docker-archive:FILE,\n" +
			"docker-daemon:NAME[:TAG], docker://REF), labels it with the tagging schema, and pushes it under every\n" +
			"reference that plan prints. Everything is validated first: references, sources and credentials.\n" +
			"Each distinct blob is uploaded once per registry and mounted where else it is needed; a rerun\n" +
			"uploads nothing. Outputs are those of plan, with digests.",
		run: runPublish,
	}
}

func runPublish(ctx context.Context, e *runEnv, args []string) error {
	passwordStdin := false
	bind := func(fs *flag.FlagSet, cfg *config.Config) {
		config.Bind(fs, cfg, config.Publish)
		bindPasswordStdin(fs, &passwordStdin)
	}
	cfg, err := parseFlagsOnly(publishCommand(), e, args, bind)
	if err != nil {
		return err
	}
	pf, p, meta, err := preparePublish(ctx, e, cfg)
	if err != nil {
		return err
	}
	job, err := newPushJob(ctx, e, cfg, pf, passwordStdin, []string{p.Repo.Host})
	if err != nil {
		return err
	}
	defer job.close()
	if !cfg.PushByDigest {
		if err := job.readTagsAhead(ctx, p); err != nil {
			return err
		}
	}
	artifacts, err := job.openSources(ctx, p.Images)
	if err != nil {
		return err
	}
	var targets []publish.Target
	if cfg.PushByDigest {
		targets, err = publish.DigestTargets(p, artifacts, job.access.NameOptions)
	} else {
		targets, err = publish.Targets(p, artifacts, meta, job.access.NameOptions)
	}
	if err != nil {
		return err
	}
	if cfg.Stages {
		stageTargets, err := publish.StageTargets(&p, artifacts, job.access.NameOptions)
		if err != nil {
			return err
		}
		targets = append(targets, stageTargets...)
	}
	if cfg.Referrers {
		job.afterPush = referrersAfterPush(ctx, job, p, artifacts, targets, "publish with --meta-labels none to promote them, or sign what was published")
	}
	return job.pushAndReport(ctx, p, targets, "shiptag publish")
}

// preparePublish checks publish's own inputs: the plan, a source for every
// image, and the meta-information settings.
func preparePublish(ctx context.Context, e *runEnv, cfg *config.Config) (platform.Platform, plan.Plan, publish.Meta, error) {
	// git gives the tag or branch, and the commit the labels record.
	pf, err := openPlatform(ctx, e, *cfg, cfg.TaggingStrategy == "tag-or-branch" || cfg.MetaLabels != "none" || len(cfg.MetaTags) > 0)
	if err == nil {
		err = checkOutputFormat(cfg.Output)
	}
	if err != nil {
		return nil, plan.Plan{}, publish.Meta{}, err
	}
	facts := pf.Facts()
	if cfg.PushByDigest && cfg.Stages {
		return nil, plan.Plan{}, publish.Meta{}, inputs.Errorf("push-by-digest", "pushes no tag, and --stages tags every stage: "+
			"push the stages from the publish that merges the platforms")
	}
	rules, err := metaRules(e, *cfg, pf)
	if err != nil {
		return nil, plan.Plan{}, publish.Meta{}, err
	}
	p, err := plan.New(planInputs(*cfg, rules.TagNames), facts)
	if err == nil {
		err = requireSources(p.Images)
	}
	if err != nil {
		return nil, plan.Plan{}, publish.Meta{}, err
	}
	meta, err := metaFor(e, cfg, facts, rules)
	if n := len(meta.Annotations.IndexDescriptor); n > 0 {
		w := fmt.Sprintf("%d index-descriptor annotation(s) left out: that level is an OCI layout's index.json entry, "+
			"which a registry push has none of; use manifest or index in DOCKER_METADATA_ANNOTATIONS_LEVELS", n)
		fmt.Fprintf(e.stderr, "shiptag: warning: %s\n", w)
		pf.Annotate(platform.Warning, w)
	}
	return pf, p, meta, err
}

// requireSources refuses an image without a source (fine for plan only).
func requireSources(images []plan.Image) error {
	for _, img := range images {
		if !img.HasSource() {
			return inputs.Errorf("image", "image %q has no source: write --image %s=SOURCE, e.g. %s=oci:./build/%s",
				img.String(), img.Name, img.Name, img.String())
		}
	}
	return nil
}

// metaFor reads the meta-information settings. rules is what
// metadata-action's rules made (--tags, --labels, --annotations): their
// labels go on every image config and their annotations on the manifests by
// level, as build-push-action places metadata-action's outputs; --add-label
// comes after them.
func metaFor(e *runEnv, cfg *config.Config, facts ci.Facts, rules metadata.Result) (publish.Meta, error) {
	mode, err := labels.ParseMode(cfg.MetaLabels)
	if err != nil {
		return publish.Meta{}, inputs.Flag("meta-labels", err)
	}
	fromRules, err := labels.ParsePairs(rules.Labels)
	if err != nil {
		return publish.Meta{}, inputs.Flag("labels", err)
	}
	anns, err := labels.ParseAnnotations(rules.Annotations)
	if err != nil {
		return publish.Meta{}, inputs.Flag("annotations", err)
	}
	user, err := labels.ParsePairs(cfg.AddLabel)
	if err != nil {
		return publish.Meta{}, inputs.Flag("add-label", err)
	}
	if err := e.vars.CheckEpoch(); err != nil {
		return publish.Meta{}, err
	}
	return publish.Meta{Mode: mode, Revision: facts.GitCommit, SourceURL: facts.SourceURL, Created: e.vars.Epoch,
		User: append(fromRules, user...), Annotations: anns}, nil
}
