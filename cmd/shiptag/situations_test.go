package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/output"
	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// publishSituations publishes every image origin, and returns what is in
// the registry afterwards, by reference.
func (w *world) publishSituations(t *testing.T, g *origin, repo string) map[string]published {
	t.Helper()
	refs := map[string]published{}
	times := []string{"", "0", "-62135596800", fmt.Sprint(time.Now().AddDate(1, 0, 0).Unix())} // real, epoch, zero, future
	n := 0
	publish := func(image, source string, own bool, extra ...string) {
		epoch := "SOURCE_DATE_EPOCH=" + times[n%len(times)]
		n++
		args := append([]string{"publish", "--repo", repo, "--image", image + "=" + source, "--output", "json"}, extra...)
		r := w.mustRun(t, g.dir, []string{epoch}, args...)
		var doc output.Document
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v:\n%s", err, r.stdout)
		}
		for _, img := range doc.Images {
			for _, tag := range img.Tags {
				refs[tag.Ref] = published{ref: tag.Ref, strategy: tag.Strategy, value: valueOf(extra, tag.Strategy), own: own}
			}
		}
	}
	app := "oci:" + w.images + "/backend"
	for _, b := range []string{"main", "live/a", "gone/b"} {
		publish("app", app, true, "--tag-git-branch", b)
	}
	for _, tag := range []string{"v1", "v2-live", "v0-gone"} {
		publish("app", app, true, "--tag-git-tag", tag)
	}
	for _, c := range []string{"M", "A", "B"} {
		publish("app", app, true, "--tag-git-commit", g.commit[c])
		publish("app", app, true, "--tag-git-commit", g.commit[c][:8])
	}
	publish("app", app, true, "--tag-custom", "release")
	goneRef := refOf(t, refs, "git-branch", "gone/b")
	// Shared meta-labels name no tag; none keeps the source's labels, which
	// describe gone/b; a per-tag promotion of it is custom.
	publish("app", app, false, "--tag-custom", "shared-gone", "--meta-labels", "shared")
	publish("app", "docker://"+goneRef, false, "--tag-custom", "promoted-none", "--meta-labels", "none")
	publish("app", "docker://"+goneRef, true, "--tag-custom", "promoted")
	// Another tool's tag on a shiptag image, and a stage copied by hand.
	w.copyImage(t, goneRef, repo+"/app:prod")
	refs[repo+"/app:prod"] = published{ref: repo + "/app:prod"}
	stage := w.stageLayout(t)
	w.copyLayout(t, stage, repo+"/app:image-stage-0123abcd")
	refs[repo+"/app:image-stage-0123abcd"] = published{ref: repo + "/app:image-stage-0123abcd"}
	// Built FROM a stage, published for gone/b: shiptag's own, so it goes.
	publish("stagey", "oci:"+stage, true, "--tag-git-branch", "gone/b")
	return refs
}

// valueOf is the git value a publish command line gave for a strategy.
func valueOf(args []string, strategy string) string {
	flag := map[string]string{"git-branch": "--tag-git-branch", "git-tag": "--tag-git-tag", "git-commit": "--tag-git-commit",
		"custom": "--tag-custom"}[strategy]
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag {
			return args[i+1]
		}
	}
	return ""
}

func refOf(t *testing.T, refs map[string]published, strategy, value string) string {
	t.Helper()
	for ref, p := range refs {
		if p.strategy == strategy && p.value == value && strings.Contains(ref, "/app:") {
			return ref
		}
	}
	t.Fatalf("no %s image for %s", strategy, value)
	return ""
}

// stageLayout writes the seed's backend with a stage's labels, as a
// source built FROM a werf stage carries them.
func (w *world) stageLayout(t *testing.T) string {
	t.Helper()
	a, err := source.Open(context.Background(), source.Source{Transport: source.OCI, Path: w.images + "/backend"}, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cf, err := a.Image.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg := cf.Config.DeepCopy()
	cfg.Labels = map[string]string{"werf-image": "false", "werf-stage-signature": "0123abcd"}
	img, err := mutate.Config(a.Image, *cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "stage")
	if err := sample.WriteLayout(dir, source.Artifact{Image: img}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (w *world) remoteAuth(t *testing.T) []remote.Option {
	t.Helper()
	client, err := w.reg.Client()
	if err != nil {
		t.Fatal(err)
	}
	return []remote.Option{remote.WithTransport(client.Transport), remote.WithAuth(&authn.Basic{Username: w.reg.User, Password: w.reg.Password})}
}

// copyImage tags what from is as to, as crane tag would.
func (w *world) copyImage(t *testing.T, from, to string) {
	t.Helper()
	desc, err := remote.Get(mustTag(t, from), w.remoteAuth(t)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Tag(mustTag(t, to), desc, w.remoteAuth(t)...); err != nil {
		t.Fatal(err)
	}
}

// copyLayout pushes a layout's image as ref, as another tool would.
func (w *world) copyLayout(t *testing.T, dir, ref string) {
	t.Helper()
	a, err := source.Open(context.Background(), source.Source{Transport: source.OCI, Path: dir}, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(mustTag(t, ref), a.Image, w.remoteAuth(t)...); err != nil {
		t.Fatal(err)
	}
}

func mustTag(t *testing.T, ref string) name.Tag {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

func cmpSet(list []string, set map[string]bool) bool {
	if len(list) != len(set) {
		return false
	}
	for _, s := range list {
		if !set[s] {
			return false
		}
	}
	return true
}

func keys(set map[string]bool) []string {
	var out []string
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
