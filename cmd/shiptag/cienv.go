package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/tagging"
)

func ciEnvCommand() command {
	return command{
		name:    "ci-env",
		args:    "[--as-env-file] [flags]",
		summary: "print the settings derived from the CI job as shell exports",
		about: "ci-env prints the settings shiptag derives from the CI job as SHIPTAG_* variables, like werf ci-env:\n" +
			"the platform, the images repo with its registry and repo mode, and the git tag (or else the branch)\n" +
			"that tag-or-branch picks. Evaluate it in a script: eval \"$(shiptag ci-env)\"; or write KEY=value\n" +
			"lines for docker --env-file or a GitLab dotenv report with --as-env-file.",
		run: runCIEnv,
	}
}

func runCIEnv(ctx context.Context, e *runEnv, args []string) error {
	asEnvFile := false
	bind := func(fs *flag.FlagSet, cfg *config.Config) {
		config.Bind(fs, cfg, config.Plan)
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
	explicit := tagging.Params{GitTag: cfg.TagGitTag, GitBranch: cfg.TagGitBranch}
	derived, err := tagging.Derive(tagging.TagOrBranch, facts, explicit)
	var input *inputs.Error
	switch {
	case errors.As(err, &input):
		fmt.Fprintf(e.stderr, "shiptag ci-env: no git tag or branch: looked at %s\n", facts.Looked)
	case err != nil:
		return nil, err
	case derived != nil && derived.Strategy == tagging.GitTag:
		explicit.GitTag = derived.Value
	case derived != nil:
		explicit.GitBranch = derived.Value
	}
	if explicit.GitTag != "" {
		vars = append(vars, [2]string{"TAG_GIT_TAG", explicit.GitTag})
	}
	if explicit.GitBranch != "" {
		vars = append(vars, [2]string{"TAG_GIT_BRANCH", explicit.GitBranch})
	}
	return vars, nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
