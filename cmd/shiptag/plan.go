package main

import (
	"context"
	"os"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/output"
	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/platform"
	"github.com/shiptag/shiptag/internal/publish"
	"github.com/shiptag/shiptag/internal/source"
)

func planCommand() command {
	return command{
		name:    "plan",
		args:    "[flags]",
		summary: "print every reference a publish would push, touching no source or registry",
		about: "Plan computes every image reference from the CI context and the tag flags, prints it, and writes\n" +
			"the CI outputs (GitHub step outputs and summary, GitLab dotenv report), without reading any\n" +
			"source or registry. Use it to preview what CI will push.",
		run: runPlan,
	}
}

func runPlan(ctx context.Context, e *runEnv, args []string) error {
	cfg, err := parseFlagsOnly(planCommand(), e, args, bindFor(config.Plan))
	if err != nil {
		return err
	}
	pf, err := openPlatform(ctx, e, *cfg, cfg.TaggingStrategy == "tag-or-branch" || len(cfg.MetaTags) > 0)
	if err != nil {
		return err
	}
	facts := pf.Facts()
	if err := checkOutputFormat(cfg.Output); err != nil {
		return err
	}
	rules, err := metaRules(e, *cfg, pf)
	if err != nil {
		return err
	}
	p, err := plan.New(planInputs(*cfg, rules.TagNames), facts)
	if err != nil {
		return err
	}
	if cfg.Stages {
		if err := planStages(ctx, &p); err != nil {
			return err
		}
	}
	doc := output.NewDocument(p)
	if err := pf.WriteOutputs(doc.Outputs("shiptag plan")); err != nil {
		return err
	}
	return printDocument(e, cfg.Output, doc)
}

// planInputs hands plan the settings it reads, and the tags --tags rules made.
func planInputs(cfg config.Config, ruleTags []string) plan.Inputs {
	return plan.Inputs{RepoInputs: repoInputs(cfg), Images: cfg.Images, TaggingStrategy: cfg.TaggingStrategy, Slug: cfg.Slug,
		TagGitTag: cfg.TagGitTag, TagGitBranch: cfg.TagGitBranch, TagGitCommit: cfg.TagGitCommit, TagCustom: cfg.TagCustom,
		RuleTags: ruleTags, PushByDigest: cfg.PushByDigest}
}

// repoInputs are the settings that name the images repo.
func repoInputs(cfg config.Config) plan.RepoInputs {
	return plan.RepoInputs{Repo: cfg.Repo, RegistryImplementation: cfg.RegistryImplementation, RepoMode: cfg.RepoMode}
}

// planStages lists the stages, which needs the layers' diffIDs: plan reads
// the sources for it, local ones only, so that it still touches no registry.
func planStages(ctx context.Context, p *plan.Plan) error {
	if err := requireSources(p.Images); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "shiptag-plan-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	artifacts, err := source.OpenAll(ctx, sourcesOf(p.Images), source.Options{TempDir: tmp},
		"plan --stages reads local sources only: use publish --dry-run --stages")
	if err != nil {
		return err
	}
	_, err = publish.StageTargets(p, artifacts, func(string) []name.Option { return nil })
	return err
}

// openPlatform picks the CI platform once for the run and reads its facts.
// Locally, git is asked only when needGit says a rule uses its facts:
// running git is most of a local plan's time.
func openPlatform(ctx context.Context, e *runEnv, cfg config.Config, needGit bool) (platform.Platform, error) {
	if !platform.Known(cfg.Platform) {
		return nil, inputs.Errorf("platform", "unknown platform %q: use one of %s", cfg.Platform, platform.Names())
	}
	o := platform.Options{Name: ci.Platform(cfg.Platform), Getenv: e.getenv, Log: e.stderr, DotenvFile: cfg.DotenvFile}
	if needGit {
		o.Git = ci.ExecGit(".", e.environ)
	}
	pf, err := platform.Open(ctx, o)
	if err != nil {
		// The name is known: only reading GitHub's event payload can fail.
		return nil, inputs.Variablef("GITHUB_EVENT_PATH", "%w", err)
	}
	e.platform = pf
	return pf, nil
}

func checkOutputFormat(format string) error {
	if format != "text" && format != "json" {
		return inputs.Errorf("output", "unknown output format %q: use %q or %q", format, "text", "json")
	}
	return nil
}

func printDocument(e *runEnv, format string, doc output.Document) error {
	if format == "json" {
		return output.WriteJSON(e.stdout, doc)
	}
	return output.WriteText(e.stdout, doc)
}
