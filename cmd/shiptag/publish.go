package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/labels"
	"github.com/shiptag/shiptag/internal/output"
	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/publish"
	"github.com/shiptag/shiptag/internal/source"
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
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read the --username password from standard input")
	}
	cfg, err := parseFlagsOnly(publishCommand(), e, args, bind)
	if err != nil {
		return err
	}
	job, err := preparePublish(ctx, e, cfg, passwordStdin)
	if err != nil {
		return err
	}
	defer job.cleanup()
	return job.run(ctx)
}

// publishJob is a publish whose every input has been validated.
type publishJob struct {
	e       *runEnv
	cfg     *config.Config
	facts   ci.Facts
	plan    plan.Plan
	meta    publish.Meta
	jobs    int
	access  *registryAccess
	tempDir string
	cleanup func()
}

// preparePublish checks every input that needs no registry.
func preparePublish(ctx context.Context, e *runEnv, cfg *config.Config, passwordStdin bool) (*publishJob, error) {
	facts, err := detect(ctx, e, *cfg)
	if err != nil {
		return nil, err
	}
	if err := checkOutputFormat(cfg.Output); err != nil {
		return nil, err
	}
	p, err := plan.New(*cfg, facts)
	if err != nil {
		return nil, err
	}
	for _, img := range p.Images {
		if img.Source == "" {
			return nil, config.Errorf("image", "image %q has no source: write --image %s=SOURCE, e.g. %s=oci:./build/%s",
				img.String(), img.Name, img.Name, img.String())
		}
	}
	j := &publishJob{e: e, cfg: cfg, facts: facts, plan: p, cleanup: func() {}}
	if j.meta, err = metaFor(e, cfg, facts); err != nil {
		return nil, err
	}
	if j.jobs, err = jobsFor(cfg.Jobs); err != nil {
		return nil, err
	}
	if err := checkCIOutputs(e, *cfg, facts); err != nil {
		return nil, err
	}
	password, err := readPassword(e, passwordStdin, cfg.Password)
	if err != nil {
		return nil, err
	}
	access, removeConfig, err := newRegistryAccess(e, cfg, facts, p.Repo.Host, password)
	if err != nil {
		return nil, err
	}
	j.access = access
	if j.tempDir, err = os.MkdirTemp("", "shiptag-sources-"); err != nil {
		removeConfig()
		return nil, err
	}
	j.cleanup = func() { removeConfig(); _ = os.RemoveAll(j.tempDir) }
	return j, nil
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

func (j *publishJob) run(ctx context.Context) error {
	artifacts, err := j.openSources(ctx)
	if err != nil {
		return err
	}
	targets, err := publish.Targets(j.plan, artifacts, j.meta, j.access.nameOptions)
	if err != nil {
		return err
	}
	if !j.cfg.DryRun {
		if err := j.push(ctx, targets); err != nil {
			return err
		}
	}
	if err := publish.FillDigests(&j.plan, targets); err != nil {
		return err
	}
	doc := output.NewDocument(j.plan)
	title := "shiptag publish"
	if j.cfg.DryRun {
		title += " (dry run: nothing pushed)"
	}
	if err := writeCIOutputs(j.e, *j.cfg, j.facts, title, doc); err != nil {
		return err
	}
	return printDocument(j.e, j.cfg.Output, doc)
}

// openSources opens every image's source. A local source that cannot be
// read is the user's to fix (exit 2); a registry or daemon that fails is not.
func (j *publishJob) openSources(ctx context.Context) ([]source.Artifact, error) {
	opts := source.Options{Keychain: j.access.keychain, Remote: j.access.remoteOptions(),
		DockerHost: j.e.getenv("DOCKER_HOST"), TempDir: j.tempDir}
	artifacts := make([]source.Artifact, len(j.plan.Images))
	for i, img := range j.plan.Images {
		src, err := source.Parse(img.Source)
		if err != nil {
			return nil, config.Errorf("image", "%s: %v", img.String(), err)
		}
		opts.NameOptions = j.access.nameOptions(src.Path)
		a, err := source.Open(ctx, src, opts)
		if err != nil {
			if src.Transport == source.Registry || src.Transport == source.DockerDaemon {
				return nil, fmt.Errorf("image %s: %w", img.String(), err)
			}
			return nil, config.Errorf("image", "%s: %v", img.String(), err)
		}
		artifacts[i] = a
	}
	return artifacts, nil
}

// push checks the credentials of every repository, then publishes.
func (j *publishJob) push(ctx context.Context, targets []publish.Target) error {
	if err := j.access.checkPush(ctx, targets); err != nil {
		return err
	}
	// Live redrawing on a developer's terminal; in CI logs a plain line at
	// most every 5 s, which keeps logs short.
	live := isTerminal(j.e.stderr) && j.facts.Platform == ci.Local
	interval := 5 * time.Second
	if live {
		interval = 200 * time.Millisecond
	}
	progress := publish.NewProgress(j.e.stderr, live, interval)
	if j.facts.Platform == ci.GitHub {
		gh := githubactions.New(githubactions.WithWriter(j.e.stderr), githubactions.WithGetenv(j.e.getenv))
		gh.Group(fmt.Sprintf("shiptag: publishing %d references", len(targets)))
		defer gh.EndGroup()
	}
	err := publish.Publish(ctx, targets, publish.Options{Jobs: j.jobs, Remote: j.access.remoteOptions(), Progress: progress})
	progress.Done()
	return err
}

// isTerminal reports whether w is a terminal, for live progress.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
