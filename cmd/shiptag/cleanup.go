package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/cleanup"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/naming"
	"github.com/shiptag/shiptag/internal/output"
	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/platform"
)

func cleanupCommand() command {
	return command{
		name:    "cleanup",
		args:    "[--image NAME...] [flags]",
		summary: "delete published images that the git history no longer needs",
		about: "Cleanup lists the tags of the given images (the same --repo, --image and --repo-mode as publish), reads\n" +
			"each tag's labels and deletes what werf's policies say git no longer needs: git-branch and git-tag images\n" +
			"whose branch or tag is gone (under either slug rule), git-commit images whose commit is not in the\n" +
			"repository, then git-tag and git-commit images beyond the count and age limits. It keeps what it cannot\n" +
			"prove: tags whose labels describe another reference (retagged, promoted), what a partial clone could hide\n" +
			"(branch and tag names come from git ls-remote origin where it answers; commits need an unshallow clone\n" +
			"with every branch and tag), and ages without a trustworthy git date. Images without a werf-tag-strategy\n" +
			"label (exported, foreign, stages) and custom tags are never deleted; unreadable labels keep the tag and\n" +
			"fail the run. A deleted image's signatures, SBOMs and attestations (its referrers, cosign's tags) go with\n" +
			"it unless something kept uses them. The plan is always printed and written to the outputs; --dry-run stops\n" +
			"there. Docker Hub, ghcr.io, ECR and ACR are cleaned through their own APIs: --username and SHIPTAG_PASSWORD\n" +
			"(Docker Hub, ACR), GITHUB_TOKEN with delete:packages (ghcr.io), the AWS SDK's credential chain (ECR).",
		run: runCleanup,
	}
}

func runCleanup(ctx context.Context, e *runEnv, args []string) error {
	passwordStdin := false
	bind := func(fs *flag.FlagSet, cfg *config.Config) {
		config.Bind(fs, cfg, config.Cleanup)
		bindPasswordStdin(fs, &passwordStdin)
	}
	cfg, err := parseFlagsOnly(cleanupCommand(), e, args, bind)
	if err != nil {
		return err
	}
	pf, repo, scopes, policy, err := prepareCleanup(ctx, e, cfg)
	if err != nil {
		return err
	}
	git, err := readCleanupGit(ctx, e, cfg, pf)
	if err != nil {
		return err
	}
	job, err := newPushJob(ctx, e, cfg, pf, passwordStdin, []string{repo.Host})
	if err != nil {
		return err
	}
	defer job.close()
	return cleanRegistry(ctx, job, repo, scopes, git, policy)
}

// readCleanupGit reads the git facts of --git-dir and says once what the
// clone cannot prove gone. git never prompts: a remote that wants a password
// it does not have is a remote that could not be asked.
func readCleanupGit(ctx context.Context, e *runEnv, cfg *config.Config, pf platform.Platform) (cleanup.Git, error) {
	environ := append(slices.Clip(e.environ), "GIT_TERMINAL_PROMPT=0")
	if e.vars.GitSSHCommand == "" {
		environ = append(environ, "GIT_SSH_COMMAND=ssh -o BatchMode=yes")
	}
	co := cleanup.Checkout{RemoteTimeout: time.Duration(cfg.Timeout), PipelineOnly: pf.PartialCheckout()}
	git, err := cleanup.ReadGit(ctx, cleanup.RunGit(ci.ExecGit(cfg.GitDir, environ)), co)
	if err != nil {
		return git, inputs.Errorf("git-dir", "%q: %w", cfg.GitDir, err)
	}
	if advice := git.Advice(); advice != "" {
		fmt.Fprintf(e.stderr, "shiptag cleanup: %s\n", advice)
	}
	return git, nil
}

// cleanupReader is the registry reader of a cleanup, and how many tags it
// reads at once (config.SmallJobCount).
func cleanupReader(job *pushJob, repo naming.Repo) (cleanup.OCI, int, error) {
	// go-containerregistry holds a puller's blob reads (the configs) to its
	// own job count: the same as the tag reads, or most of them would wait.
	opts := append(job.access.RemoteOptions(), remote.WithJobs(job.small))
	oci, err := cleanup.NewOCI(opts, job.access.NameOptions(repo.Name))
	return oci, job.small, err
}

// cleanRegistry reads the tags in scope, decides, deletes (unless
// --dry-run) and reports the plan with what became of it.
func cleanRegistry(ctx context.Context, job *pushJob, repo naming.Repo, scopes []cleanup.Scope, git cleanup.Git, policy cleanup.Policy) error {
	e, cfg := job.e, job.cfg
	oci, reads, err := cleanupReader(job, repo)
	if err != nil {
		return err
	}
	var del cleanup.Deleter
	if !cfg.DryRun {
		if del, err = cleanup.NewDeleter(ctx, nativeFor(e, job, repo, oci)); err != nil {
			return err
		}
	}
	inv, err := cleanup.Read(ctx, oci, scopes, reads)
	if err != nil {
		var listErr *cleanup.ListError
		if errors.As(err, &listErr) {
			if r, perr := name.NewRepository(listErr.Repository, oci.Name...); perr == nil {
				return job.access.Explain("list the tags of", "read", r, listErr.Err)
			}
		}
		return err
	}
	decisions := cleanup.Decide(inv.Items, git, policy, time.Now())
	cleanup.Resolve(inv, decisions)
	var orphans []cleanup.Orphan
	if cfg.Referrers {
		if orphans, err = cleanup.FindOrphans(ctx, oci, inv, decisions, reads); err != nil {
			job.warn(err.Error() + ": cleanup goes on without them (--referrers=false skips this)")
		}
	}
	var applyErr error
	if !cfg.DryRun {
		applyErr = cleanup.Apply(ctx, del, decisions)
		cleanup.Settle(inv, decisions, orphans)
		applyErr = errors.Join(applyErr, cleanup.DeleteOrphans(ctx, del, orphans))
	}
	applyErr = errors.Join(applyErr, cleanup.Unread(decisions))
	doc := output.NewCleanupDocument(decisions, orphans, cfg.DryRun)
	title := "shiptag cleanup"
	if cfg.DryRun {
		title += " (dry run: nothing deleted)"
	}
	if err := job.pf.WriteOutputs(doc.Outputs(title)); err != nil {
		return errors.Join(applyErr, err)
	}
	if cfg.Output == "json" {
		err = output.WriteJSONValue(e.stdout, doc)
	} else {
		err = output.WriteCleanupText(e.stdout, doc)
	}
	return errors.Join(applyErr, err)
}

// nativeFor hands cleanup what its native deleters need: the registry,
// shiptag's login for it, the run's AWS configuration and the API
// addresses.
func nativeFor(e *runEnv, job *pushJob, repo naming.Repo, oci cleanup.OCI) cleanup.Native {
	host := repo.Host
	if host == "" {
		host = name.DefaultRegistry
	}
	n := cleanup.Native{Implementation: repo.Implementation, Host: host, GitHubAPI: e.vars.GitHubAPI, Client: job.access.Client(), OCI: oci,
		AWS: job.clouds.AWS()}
	if l, ok := job.access.LoginFor(host); ok {
		n.Login = &cleanup.Credentials{Username: l.Username, Password: l.Password}
	}
	return n
}

// prepareCleanup checks cleanup's inputs before git or a registry is asked.
func prepareCleanup(ctx context.Context, e *runEnv, cfg *config.Config) (platform.Platform, naming.Repo, []cleanup.Scope, cleanup.Policy, error) {
	policy := cleanup.Policy{GitTagLimit: cfg.GitTagLimit, GitTagExpiryDays: cfg.GitTagExpiryDays,
		GitCommitLimit: cfg.GitCommitLimit, GitCommitExpiryDays: cfg.GitCommitExpiryDays}
	pf, err := openPlatform(ctx, e, *cfg, false)
	for _, check := range []func() error{func() error { return checkOutputFormat(cfg.Output) }, policy.Check, cfg.CheckTimeout} {
		if err == nil {
			err = check()
		}
	}
	if err != nil {
		return pf, naming.Repo{}, nil, policy, err
	}
	repo, err := plan.ResolveRepo(repoInputs(*cfg), pf.Facts())
	if err != nil {
		return pf, repo, nil, policy, err
	}
	images, err := plan.ParseImages(cfg.Images)
	if err != nil {
		return pf, repo, nil, policy, err
	}
	names := make([]string, len(images))
	for i, img := range images {
		names[i] = img.Name
	}
	scopes, err := cleanup.ScopesOf(repo, names)
	return pf, repo, scopes, policy, err
}
