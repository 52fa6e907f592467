package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/inprocess"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

func demoCommand() command {
	return command{
		name:    "demo",
		summary: "publish sample images into a registry inside this process, to see shiptag work",
		about: "Demo runs the main job end to end with nothing else installed: it starts a registry on 127.0.0.1\n" +
			"inside this process, writes two sample images (five layers each, three shared) as OCI layouts, and\n" +
			"publishes them with the real publish command as a GitLab job on branch rework-cache with two custom\n" +
			"tags (spec example 4). It then publishes again, and reports what the registry received each time.",
		run: runDemo,
	}
}

func runDemo(ctx context.Context, e *runEnv, args []string) error {
	if _, err := parseFlagsOnly(demoCommand(), e, args, func(*flag.FlagSet, *config.Config) {}); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "shiptag-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	reg, err := inprocess.Start()
	if err != nil {
		return err
	}
	defer reg.Close()
	host, counter := reg.Host, reg.Counter
	if err := demoImages(dir); err != nil {
		return err
	}
	env := []string{"GITLAB_CI=true", "CI_COMMIT_REF_NAME=rework-cache", "CI_PROJECT_DIR=" + dir,
		"CI_COMMIT_SHA=0123456789abcdef0123456789abcdef01234567", "CI_PROJECT_URL=https://gitlab.example.com/web/core"}
	publishArgs := []string{"--repo", host + "/web/core/system", "--image", "backend=oci:" + filepath.Join(dir, "backend"),
		"--image", "frontend=oci:" + filepath.Join(dir, "frontend"), "--tagging-strategy", "tag-or-branch",
		"--tag-custom", "feature-using-cache", "--tag-custom", "my-test-branch"}
	fmt.Fprintf(e.stdout, "A registry is listening on %s. As a GitLab job on branch rework-cache:\n\n  shiptag publish %s\n\n", host, shellWords(publishArgs))
	for _, round := range []string{"First run", "Second run, same images"} {
		counter.Reset()
		job := &runEnv{environ: env, env: envMap(env), stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}
		if err := runPublish(ctx, job, publishArgs); err != nil {
			return err
		}
		s := counter.Snapshot()
		fmt.Fprintf(e.stdout, "\n%s: the registry received %d blob uploads and %d manifest writes in %d requests.\n\n",
			round, s.BlobUploads(), s.Manifests, s.Requests)
	}
	report, err := os.ReadFile(filepath.Join(dir, "shiptag.env"))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "The GitLab dotenv report (shiptag.env) hands these to later jobs:\n\n%s", report)
	return nil
}

// demoImages writes the seed's backend and frontend as OCI layouts in dir.
func demoImages(dir string) error {
	backend, frontend, err := sample.Seed(400_000)
	if err != nil {
		return err
	}
	if err := sample.WriteLayout(filepath.Join(dir, "backend"), source.Artifact{Image: backend}); err != nil {
		return err
	}
	return sample.WriteLayout(filepath.Join(dir, "frontend"), source.Artifact{Image: frontend})
}

func shellWords(args []string) string { return strings.Join(args, " ") }
