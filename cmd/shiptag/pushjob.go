package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shiptag/shiptag/internal/cloud"
	"github.com/shiptag/shiptag/internal/config"
	dockerengine "github.com/shiptag/shiptag/internal/engine"
	"github.com/shiptag/shiptag/internal/output"
	"github.com/shiptag/shiptag/internal/plan"
	"github.com/shiptag/shiptag/internal/platform"
	"github.com/shiptag/shiptag/internal/publish"
	"github.com/shiptag/shiptag/internal/registry"
	"github.com/shiptag/shiptag/internal/source"
)

// pushJob is the registry side that publish and export share, once their
// own inputs are valid: logins, sources, the push, and the outputs.
type pushJob struct {
	e       *runEnv
	cfg     *config.Config
	pf      platform.Platform
	jobs    int
	small   int // small requests in flight (config.SmallJobCount)
	access  *registry.Access
	clouds  *cloud.Keychain // the clouds' identities; cleanup's ECR client shares its AWS configuration
	tempDir string
	// verifications are the local sources' blob checks, run while the
	// target registry is read (or before a dry run reports).
	verifications source.Deferred
	// afterPush, if set, runs once the targets are written, before the outputs.
	afterPush func(context.Context) error
	// tags are the target references read ahead (readTagsAhead), if any.
	tags *publish.TagReads
}

func bindPasswordStdin(fs *flag.FlagSet, p *bool) {
	fs.BoolVar(p, "password-stdin", false, "read the --username password from standard input")
}

// newPushJob checks the remaining inputs that need no registry (jobs,
// output files, the password) and prepares the logins; --username logs in
// to every registry in hosts.
func newPushJob(ctx context.Context, e *runEnv, cfg *config.Config, pf platform.Platform, passwordStdin bool, hosts []string) (*pushJob, error) {
	j := &pushJob{e: e, cfg: cfg, pf: pf}
	var err error
	if j.jobs, err = cfg.JobCount(); err != nil {
		return nil, err
	}
	if j.small, err = cfg.SmallJobCount(); err != nil {
		return nil, err
	}
	if err := cfg.CheckTimeout(); err != nil {
		return nil, err
	}
	if err := pf.CheckOutputs(); err != nil {
		return nil, err
	}
	password, err := readPassword(e, passwordStdin, cfg.Password)
	if err != nil {
		return nil, err
	}
	if j.access, j.clouds, err = newRegistryAccess(ctx, e, cfg, pf, hosts, password, j.jobs); err != nil {
		return nil, err
	}
	return j, nil
}

// openSources opens every image's source, with the run's registry access.
func (j *pushJob) openSources(ctx context.Context, images []plan.Image) ([]source.Artifact, error) {
	if err := j.makeTempDir(); err != nil {
		return nil, err
	}
	opts := source.Options{Keychain: j.access.Keychain(), Remote: j.access.RemoteOptions(), NameOptions: j.access.NameOptions,
		Engine: engineOptions(j.e, j.cfg), TempDir: j.tempDir, Jobs: j.jobs, Defer: &j.verifications, Warm: j.access.Warm}
	return source.OpenAll(ctx, sourcesOf(images), opts, "")
}

// sourcesOf lists the images' sources for source.OpenAll.
func sourcesOf(images []plan.Image) []source.Named {
	named := make([]source.Named, len(images))
	for i, img := range images {
		named[i] = source.Named{Label: img.String(), Specs: img.Sources}
	}
	return named
}

// makeTempDir makes the directory archives unpack into, once; close
// removes it.
func (j *pushJob) makeTempDir() error {
	if j.tempDir != "" {
		return nil
	}
	dir, err := os.MkdirTemp("", "shiptag-sources-")
	if err != nil {
		return err
	}
	j.tempDir = dir
	return nil
}

// readTagsAhead starts reading what the plan's tags point at, while the
// sources open: a registry source's manifest and the target's tags then
// take one round trip together. A dry run pushes nothing and reads none.
func (j *pushJob) readTagsAhead(ctx context.Context, p plan.Plan) error {
	if j.cfg.DryRun {
		return nil
	}
	var refs []name.Reference
	for _, img := range p.Images {
		for _, r := range img.Refs {
			if ref, err := name.NewTag(r.Ref, j.access.NameOptions(r.Ref)...); err == nil {
				refs = append(refs, ref) // a bad one is reported with the targets
			}
		}
	}
	var err error
	j.tags, err = publish.ReadTags(ctx, refs, publish.Options{Jobs: j.jobs, Small: j.small, Remote: j.access.RemoteOptions()})
	return err
}

// close ends the reads ahead and removes what the job left on disk.
func (j *pushJob) close() {
	j.tags.Stop()
	if j.tempDir != "" {
		_ = os.RemoveAll(j.tempDir)
	}
}

// pushAndReport pushes the targets (unless --dry-run), then writes the
// outputs and prints the result with digests.
func (j *pushJob) pushAndReport(ctx context.Context, p plan.Plan, targets []publish.Target, title string) error {
	if j.cfg.DryRun {
		if err := j.verifications.Run(ctx); err != nil {
			return err
		}
	} else {
		if err := j.push(ctx, targets); err != nil {
			return err
		}
		if j.afterPush != nil {
			if err := j.afterPush(ctx); err != nil {
				return err
			}
		}
	}
	if err := publish.FillDigests(&p, targets); err != nil {
		return err
	}
	doc := output.NewDocument(p)
	if j.cfg.DryRun {
		title += " (dry run: nothing pushed)"
	}
	if err := j.pf.WriteOutputs(doc.Outputs(title)); err != nil {
		return err
	}
	return printDocument(j.e, j.cfg.Output, doc)
}

// push publishes, checking the credentials of every repository that gets
// anything before the first upload.
func (j *pushJob) push(ctx context.Context, targets []publish.Target) error {
	// Live redrawing on a developer's terminal; in CI logs a plain line at
	// most every 5 s, which keeps logs short.
	live := isTerminal(j.e.stderr) && j.pf.Interactive()
	interval := 5 * time.Second
	if live {
		interval = 200 * time.Millisecond
	}
	progress := publish.NewProgress(j.e.stderr, live, interval)
	defer j.pf.Group(fmt.Sprintf("shiptag: publishing %d references", len(targets)))()
	err := publish.Publish(ctx, targets, publish.Options{Jobs: j.jobs, Small: j.small, Remote: j.access.RemoteOptions(), Progress: progress,
		Keychain: j.access.Keychain(), Transport: j.access.Transport(), Explain: j.explainPush, Verify: j.verifications.Run,
		Tags: j.tags})
	var unreachable *publish.RepoError
	if errors.As(err, &unreachable) {
		return j.access.Explain("push to", "push", unreachable.Repo, err)
	}
	if err == nil {
		progress.Done()
	}
	return err
}

// explainPush says what to fix when repo refused a push.
func (j *pushJob) explainPush(repo name.Repository, err error) error {
	return j.access.Explain("push to", "push", repo, err)
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

// engineOptions are the docker CLI's engine variables, and the docker config
// directory its contexts live in.
func engineOptions(e *runEnv, cfg *config.Config) dockerengine.Options {
	v := e.vars
	return dockerengine.Options{Host: v.DockerHost, TLSVerify: v.DockerTLSVerify, CertPath: v.DockerCertPath,
		TLSCertDir: v.DockerTLSCertDir, Context: v.DockerContext,
		ConfigDir: registry.ConfigDir(cfg.DockerConfig, v.DockerConfig, v.Home)}
}

// warn says w on standard error and as the platform's warning annotation.
func (j *pushJob) warn(w string) {
	fmt.Fprintf(j.e.stderr, "shiptag: warning: %s\n", w)
	j.pf.Annotate(platform.Warning, w)
}
