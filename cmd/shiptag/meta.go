package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/metadata"
	"github.com/shiptag/shiptag/internal/output"
	"github.com/shiptag/shiptag/internal/platform"
)

func metaCommand() command {
	return command{
		name:    "meta",
		args:    "[--images …] [--tags …] [--flavor …] [--labels …] [--annotations …] [flags]",
		summary: "docker/metadata-action's tags, labels and annotations, on GitHub, GitLab or locally",
		about: "Meta reads docker/metadata-action's inputs (images, tags, flavor, labels, annotations, sep-*) and\n" +
			"writes the same outputs: version, tags, tag-names, labels, annotations and json, as GitHub step\n" +
			"outputs, a GitLab dotenv report, and on stdout. The rules work on GitLab too, from its variables.\n" +
			"publish and plan take the same --tags and --flavor as another source of tags.",
		run: runMeta,
	}
}

func runMeta(ctx context.Context, e *runEnv, args []string) error {
	cfg, err := parseFlagsOnly(metaCommand(), e, args, bindFor(config.Meta))
	if err != nil {
		return err
	}
	pf, err := openPlatform(ctx, e, *cfg, true)
	if err == nil {
		err = checkOutputFormat(cfg.Output)
	}
	if err != nil {
		return err
	}
	res, err := computeMeta(e, *cfg, pf.Facts(), true)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "shiptag meta: warning: %s\n", w)
		pf.Annotate(platform.Warning, w)
	}
	doc := output.NewMetaDocument(res)
	sep := output.Separators{Tags: cfg.MetaSepTags, Labels: cfg.MetaSepLabels, Annotations: cfg.MetaSepAnnotations}
	outputs := doc.Outputs(sep)
	if !e.vars.MetaOutputEnv {
		outputs.EnvPrefix = "" // DOCKER_METADATA_SET_OUTPUT_ENV=false
	}
	if err := pf.WriteOutputs(outputs); err != nil {
		return err
	}
	if cfg.Output == "json" {
		return output.WriteJSONValue(e.stdout, doc)
	}
	return output.WriteMetaText(e.stdout, doc)
}

// computeMeta runs metadata-action's rules against the job. withImages is
// false for plan and publish, which name their own images.
func computeMeta(e *runEnv, cfg config.Config, facts ci.Facts, withImages bool) (metadata.Result, error) {
	mctx, err := metaContext(e, facts)
	if err != nil {
		return metadata.Result{}, err
	}
	in := metadata.Inputs{Tags: cfg.MetaTags, Flavor: cfg.MetaFlavor, Labels: cfg.MetaLabelList, Annotations: cfg.MetaAnnotations}
	if withImages {
		in.Images = cfg.MetaImages
	}
	in.AnnotationLevels = e.vars.MetaAnnotationLevels
	res, err := metadata.Compute(in, mctx)
	var bad *metadata.InputError
	if errors.As(err, &bad) {
		return metadata.Result{}, &inputs.Error{Input: inputs.Name(bad.Input), Err: bad.Err}
	}
	return res, err
}

// metaRules runs --tags rules for plan and publish: their tags, and the
// labels metadata-action makes with them (an empty result without rules).
func metaRules(e *runEnv, cfg config.Config, pf platform.Platform) (metadata.Result, error) {
	if len(cfg.MetaTags) == 0 {
		return metadata.Result{}, nil
	}
	res, err := computeMeta(e, cfg, pf.Facts(), false)
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "shiptag: --tags: warning: %s\n", w)
		pf.Annotate(platform.Warning, "--tags: "+w)
	}
	return res, err
}

// metaContext is the job in metadata-action's terms, with its variables
// (DOCKER_METADATA_PR_HEAD_SHA, DOCKER_METADATA_SHORT_SHA_LENGTH); the clock
// is SOURCE_DATE_EPOCH when set.
func metaContext(e *runEnv, facts ci.Facts) (metadata.Context, error) {
	if err := e.vars.CheckMeta(); err != nil {
		return metadata.Context{}, err
	}
	now := time.Now().UTC()
	if e.vars.Epoch != nil {
		now = *e.vars.Epoch
	}
	return metadata.ContextOf(facts.Event, metadata.Knobs{PRHeadSHA: e.vars.MetaPRHeadSHA, ShortSHALength: e.vars.MetaShortSHALength}, now), nil
}
