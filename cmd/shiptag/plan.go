package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/output"
	"github.com/shiptag/shiptag/internal/plan"
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
	cfg, err := parseFlagsOnly(planCommand(), e, args, config.Bind)
	if err != nil {
		return err
	}
	facts, err := detect(ctx, e, *cfg, cfg.TaggingStrategy == "tag-or-branch" || len(cfg.MetaTags) > 0)
	if err != nil {
		return err
	}
	if err := checkOutputFormat(cfg.Output); err != nil {
		return err
	}
	ruleTags, err := metaRuleTags(e, *cfg, facts)
	if err != nil {
		return err
	}
	p, err := plan.New(*cfg, facts, ruleTags...)
	if err != nil {
		return err
	}
	if cfg.Stages {
		if err := planStages(ctx, &p); err != nil {
			return err
		}
	}
	doc := output.NewDocument(p)
	if err := writeCIOutputs(e, *cfg, facts, "shiptag plan", doc); err != nil {
		return err
	}
	return printDocument(e, cfg.Output, doc)
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
	artifacts := make([]source.Artifact, len(p.Images))
	for i, img := range p.Images {
		src, err := source.Parse(img.Source)
		if err == nil && (src.Transport == source.Registry || src.Transport == source.DockerDaemon) {
			err = fmt.Errorf("plan --stages reads the sources, and %q is in a registry or the Docker Engine: use publish --dry-run --stages", img.Source)
		}
		if err == nil {
			artifacts[i], err = source.Open(ctx, src, source.Options{TempDir: tmp})
		}
		if err != nil {
			return config.Errorf("image", "%s: %v", img.String(), err)
		}
	}
	_, err = publish.StageTargets(p, artifacts, func(string) []name.Option { return nil })
	return err
}

// detect reads the CI facts for the configured platform. Locally, git is
// asked only when needGit says a rule uses its facts: running git is most of
// a local plan's time.
func detect(ctx context.Context, e *runEnv, cfg config.Config, needGit bool) (ci.Facts, error) {
	platform, err := ci.ParsePlatform(cfg.Platform)
	if err != nil {
		return ci.Facts{}, &config.InputError{Input: config.Input("platform"), Err: err}
	}
	var git ci.Git
	if needGit {
		git = ci.ExecGit(".", e.environ)
	}
	facts, err := ci.Detect(ctx, platform, e.getenv, git)
	if err != nil {
		return ci.Facts{}, &config.InputError{Input: "GITHUB_EVENT_PATH", Err: err}
	}
	return facts, nil
}

func checkOutputFormat(format string) error {
	if format != "text" && format != "json" {
		return config.Errorf("output", "unknown output format %q: use %q or %q", format, "text", "json")
	}
	return nil
}

// writeCIOutputs writes the platform's output files: GitHub step outputs and
// summary, and the GitLab dotenv report (also wherever --dotenv-file is set).
func writeCIOutputs(e *runEnv, cfg config.Config, facts ci.Facts, title string, doc output.Document) error {
	return writePlatformOutputs(e, cfg, facts,
		func() ([]string, error) { return output.GitHub(e.getenv, title, doc) },
		func(path string) (string, error) { return output.GitLab(path, doc) })
}

// writePlatformOutputs runs github on GitHub, reporting the output files
// that are not set, and gitlab where a dotenv report is due, printing the
// note it may return (where values too long for the report went).
func writePlatformOutputs(e *runEnv, cfg config.Config, facts ci.Facts, github func() ([]string, error), gitlab func(path string) (note string, err error)) error {
	if facts.Platform == ci.GitHub {
		skipped, err := github()
		if err != nil {
			return err
		}
		for _, key := range skipped {
			fmt.Fprintf(e.stderr, "shiptag: %s is not set: that GitHub output is not written\n", key)
		}
	}
	if path, ok := dotenvPath(cfg, facts); ok {
		note, err := gitlab(path)
		if note != "" {
			fmt.Fprintf(e.stderr, "shiptag: %s\n", note)
		}
		return err
	}
	return nil
}

// checkCIOutputs fails early, before anything is pushed, if an output file
// that writeCIOutputs will write cannot be written.
func checkCIOutputs(e *runEnv, cfg config.Config, facts ci.Facts) error {
	if facts.Platform == ci.GitHub {
		if err := output.CheckGitHub(e.getenv); err != nil {
			return err
		}
	}
	if path, ok := dotenvPath(cfg, facts); ok {
		return output.CheckGitLab(path)
	}
	return nil
}

// dotenvPath is where the GitLab dotenv report goes, if one is written.
func dotenvPath(cfg config.Config, facts ci.Facts) (string, bool) {
	switch {
	case cfg.DotenvFile != "":
		return cfg.DotenvFile, true
	case facts.Platform == ci.GitLab:
		return filepath.Join(facts.ProjectDir, "shiptag.env"), true
	}
	return "", false
}

func printDocument(e *runEnv, format string, doc output.Document) error {
	if format == "json" {
		return output.WriteJSON(e.stdout, doc)
	}
	return output.WriteText(e.stdout, doc)
}
