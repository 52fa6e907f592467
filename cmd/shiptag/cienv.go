package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/slug"
	"github.com/shiptag/shiptag/internal/tagging"
)

func ciEnvCommand() command {
	return command{
		name:    "ci-env",
		args:    "[--as-env-file] [flags]",
		summary: "print the settings derived from the CI job as shell exports",
		about: "ci-env prints the settings shiptag derives from the CI job as SHIPTAG_* variables, like werf ci-env:\n" +
			"the platform, the images repo with its registry and repo mode, and, with --tagging-strategy\n" +
			"tag-or-branch, the slug of the git tag (or else the branch), failing when the job has neither, as\n" +
			"werf does. Evaluate it in a script: eval \"$(shiptag ci-env --tagging-strategy tag-or-branch)\"; or\n" +
			"write KEY=value lines for docker --env-file or a GitLab dotenv report with --as-env-file.",
		run: runCIEnv,
	}
}

func runCIEnv(ctx context.Context, e *runEnv, args []string) error {
	asEnvFile := false
	bind := func(fs *flag.FlagSet, cfg *config.Config) {
		config.Bind(fs, cfg, config.CIEnv)
		fs.BoolVar(&asEnvFile, "as-env-file", false, "print KEY=value lines instead of shell export lines")
	}
	cfg, err := parseFlagsOnly(ciEnvCommand(), e, args, bind)
	if err != nil {
		return err
	}
	vars, err := ciEnvVars(ctx, e, *cfg)
	if err != nil {
		return err
	}
	for _, kv := range vars {
		if asEnvFile {
			fmt.Fprintf(e.stdout, "%s%s=%s\n", config.EnvPrefix, kv[0], kv[1])
		} else {
			fmt.Fprintf(e.stdout, "export %s%s=%s\n", config.EnvPrefix, kv[0], shellQuote(kv[1]))
		}
	}
	return nil
}

// ciEnvVars lists the derived settings as (name without prefix, value).
func ciEnvVars(ctx context.Context, e *runEnv, cfg config.Config) ([][2]string, error) {
	pf, err := openPlatform(ctx, e, cfg, true)
	if err != nil {
		return nil, err
	}
	facts := pf.Facts()
	vars := [][2]string{{"PLATFORM", string(facts.Platform)}}
	if cfg.Repo != "" || facts.DefaultRepo != "" {
		r, err := plan.ResolveRepo(repoInputs(cfg), facts)
		if err != nil {
			return nil, err
		}
		vars = append(vars, [2]string{"REPO", r.Name}, [2]string{"REGISTRY_IMPLEMENTATION", string(r.Implementation)},
			[2]string{"REPO_MODE", string(r.Mode)})
	}
	tags, err := ciEnvTags(cfg, facts)
	return append(vars, tags...), err
}

// ciEnvTags are werf's ci-env tags: with tag-or-branch, the slug of the
// job's git tag or else its branch (a slug slugs to itself, so the command
// that reads it tags the same), and an error when the job has neither.
func ciEnvTags(cfg config.Config, facts ci.Facts) ([][2]string, error) {
	strategy, err := tagging.ParseTaggingStrategy(cfg.TaggingStrategy)
	if err != nil {
		return nil, inputs.Flag("tagging-strategy", err)
	}
	rule, err := slug.ParseRule(cfg.Slug)
	if err != nil {
		return nil, inputs.Flag("slug", err)
	}
	explicit := tagging.Params{GitTag: cfg.TagGitTag, GitBranch: cfg.TagGitBranch}
	derived, err := tagging.Derive(strategy, facts, explicit)
	var input *inputs.Error
	switch {
	case errors.As(err, &input):
		// A job without a tag or branch is the pipeline's state, not a bad
		// input: werf's ci-env fails the job the same way.
		return nil, fmt.Errorf("no git tag or branch for tag-or-branch: looked at %s; run in a branch or tag pipeline, "+
			"or pass --tag-git-branch", facts.Looked)
	case err != nil:
		return nil, err
	case derived != nil && derived.Strategy == tagging.GitTag:
		explicit.GitTag = derived.Value
	case derived != nil:
		explicit.GitBranch = derived.Value
	}
	var vars [][2]string
	if explicit.GitTag != "" {
		vars = append(vars, [2]string{"TAG_GIT_TAG", rule.Apply(explicit.GitTag)})
	}
	if explicit.GitBranch != "" {
		vars = append(vars, [2]string{"TAG_GIT_BRANCH", rule.Apply(explicit.GitBranch)})
	}
	return vars, nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
