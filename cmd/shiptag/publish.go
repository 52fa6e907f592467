package main

import (
	"context"
	"flag"
	"runtime"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/labels"
	"github.com/shiptag/shiptag/internal/plan"
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
		config.BindPublish(fs, cfg)
		bindPasswordStdin(fs, &passwordStdin)
	}
	cfg, err := parseFlagsOnly(publishCommand(), e, args, bind)
	if err != nil {
		return err
	}
	facts, p, meta, err := preparePublish(ctx, e, cfg)
	if err != nil {
		return err
	}
	job, err := newPushJob(ctx, e, cfg, facts, passwordStdin, []string{p.Repo.Host})
	if err != nil {
		return err
	}
	defer job.cleanup()
	artifacts, err := job.openSources(ctx, p.Images)
	if err != nil {
		return err
	}
	targets, err := publish.Targets(p, artifacts, meta, job.access.nameOptions)
	if err != nil {
		return err
	}
	if cfg.Stages {
		stageTargets, err := publish.StageTargets(&p, artifacts, job.access.nameOptions)
		if err != nil {
			return err
		}
		targets = append(targets, stageTargets...)
	}
	return job.pushAndReport(ctx, p, targets, "shiptag publish")
}

// preparePublish checks publish's own inputs: the plan, a source for every
// image, and the meta-information settings.
func preparePublish(ctx context.Context, e *runEnv, cfg *config.Config) (ci.Facts, plan.Plan, publish.Meta, error) {
	// git gives the tag or branch, and the commit the labels record.
	facts, err := detect(ctx, e, *cfg, cfg.TaggingStrategy == "tag-or-branch" || cfg.MetaLabels != "none" || len(cfg.MetaTags) > 0)
	if err == nil {
		err = checkOutputFormat(cfg.Output)
	}
	if err != nil {
		return ci.Facts{}, plan.Plan{}, publish.Meta{}, err
	}
	ruleTags, err := metaRuleTags(e, *cfg, facts)
	if err != nil {
		return ci.Facts{}, plan.Plan{}, publish.Meta{}, err
	}
	p, err := plan.New(*cfg, facts, ruleTags...)
	if err == nil {
		err = requireSources(p.Images)
	}
	if err != nil {
		return ci.Facts{}, plan.Plan{}, publish.Meta{}, err
	}
	meta, err := metaFor(e, cfg, facts)
	return facts, p, meta, err
}

// requireSources refuses an image without a source (fine for plan only).
func requireSources(images []plan.Image) error {
	for _, img := range images {
		if img.Source == "" {
			return config.Errorf("image", "image %q has no source: write --image %s=SOURCE, e.g. %s=oci:./build/%s",
				img.String(), img.Name, img.Name, img.String())
		}
	}
	return nil
}

func metaFor(e *runEnv, cfg *config.Config, facts ci.Facts) (publish.Meta, error) {
	mode, err := labels.ParseMode(cfg.MetaLabels)
	if err != nil {
		return publish.Meta{}, &config.InputError{Input: config.Input("meta-labels"), Err: err}
	}
	user, err := labels.ParsePairs(cfg.AddLabel)
	if err != nil {
		return publish.Meta{}, &config.InputError{Input: config.Input("add-label"), Err: err}
	}
	created, err := labels.SourceDateEpoch(e.getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return publish.Meta{}, &config.InputError{Input: "SOURCE_DATE_EPOCH", Err: err}
	}
	return publish.Meta{Mode: mode, Revision: facts.GitCommit, SourceURL: facts.SourceURL, Created: created, User: user}, nil
}

// jobsFor resolves --jobs: 0 means twice the CPUs, kept between 4 and 16,
// since uploads wait on the network far more than on the CPU.
func jobsFor(n int) (int, error) {
	switch {
	case n < 0:
		return 0, config.Errorf("jobs", "%d is negative: use 0 (automatic) or a positive number", n)
	case n == 0:
		return min(max(2*runtime.NumCPU(), 4), 16), nil
	}
	return n, nil
}
