package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
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
	"github.com/shiptag/shiptag/internal/slug"
	"github.com/shiptag/shiptag/internal/source"
)

// published is one reference in the registry, and what the test knows of
// it: whether shiptag published it per tag as that very reference, under
// which strategy, for which git value.
type published struct {
	ref, strategy, value string
	own                  bool // shiptag published it, per tag, as this reference
}

// TestCleanupInvariants runs cleanup over generated situations on the real
// registry with real git repositories: a bare origin and clones of it of
// every shape (full, detached, shallow, single-branch, no tags, unshallowed,
// GitLab's one-branch fetch, stale), each once with the origin answering
// and once with it gone; images of every origin (per-tag, shared, none,
// promoted, retagged by another tool, built FROM a stage, a stage itself),
// with real, zero, epoch and future times and full and short commit tags.
// Whatever the situation, nothing whose git fact still exists at the
// origin, nothing shiptag did not publish as that reference, and nothing
// custom is deleted; and where the clone proves absence, exactly what is
// gone is.
func TestCleanupInvariants(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	g := newOrigin(t)
	repo := w.reg.Host + "/inv"
	refs := w.publishSituations(t, g, repo)
	g.forget(t) // gone/b, its commit and the tag v0-gone go from the origin

	shapes := g.cloneShapes(t)
	gone, alive := map[string]bool{}, map[string]bool{} // by reference, what the origin holds now
	for _, p := range refs {
		alive[p.ref] = g.alive(t, p.strategy, p.value)
		if p.own && p.strategy != "custom" && !alive[p.ref] {
			gone[p.ref] = true
		}
	}
	t.Logf("%d references, %d gone from git, %d clone shapes × 2", len(refs), len(gone), len(shapes))
	run := func(t *testing.T, shape string, complete bool) {
		r := w.mustRun(t, g.dir, nil, "cleanup", "--repo", repo, "--image", "app", "--image", "stagey", "--dry-run",
			"--output", "json", "--git-dir", filepath.Join(g.dir, shape), "--timeout", "10s")
		var doc output.CleanupDocument
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v:\n%s", err, r.stdout)
		}
		for _, ref := range doc.Delete {
			p, ok := refs[ref]
			switch {
			case !ok || !p.own:
				t.Errorf("deletes %s, which shiptag did not publish as that reference", ref)
			case p.strategy == "custom":
				t.Errorf("deletes the custom tag %s", ref)
			case alive[ref]:
				t.Errorf("deletes %s, whose %s %s still exists at the origin", ref, p.strategy, p.value)
			}
		}
		if complete && !cmpSet(doc.Delete, gone) {
			t.Errorf("a complete clone deletes %v, want exactly %v\n%s", doc.Delete, keys(gone), r.stderr)
		}
	}
	for shape, complete := range shapes {
		t.Run("origin answers/"+shape, func(t *testing.T) { run(t, shape, complete.asked) })
	}
	t.Run("origin gone", func(t *testing.T) {
		if err := os.Rename(g.origin, g.origin+".away"); err != nil {
			t.Fatal(err)
		}
		defer os.Rename(g.origin+".away", g.origin)
		for shape, complete := range shapes {
			t.Run(shape, func(t *testing.T) { run(t, shape, complete.inferred) })
		}
	})

	// For real, in the full clone: what is gone goes, unless a kept tag
	// (another tool's, a promotion's) shares its manifest on a registry that
	// deletes only whole manifests; the rest still pulls.
	r := w.mustRun(t, g.dir, nil, "cleanup", "--repo", repo, "--image", "app", "--image", "stagey", "--output", "json",
		"--git-dir", filepath.Join(g.dir, "full"))
	var doc output.CleanupDocument
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	deletable := map[string]bool{}
	for _, e := range doc.Tags {
		if gone[e.Ref] && len(e.Shared) == 0 {
			deletable[e.Ref] = true
		} else if gone[e.Ref] && (e.Action != "keep" || !strings.Contains(e.Reason, "deletes only whole manifests")) {
			t.Errorf("%s shares its manifest with %v, but: %s %s", e.Ref, e.Shared, e.Action, e.Reason)
		}
	}
	if len(deletable) == 0 || !cmpSet(doc.Deleted, deletable) {
		t.Errorf("deleted %v, want %v", doc.Deleted, keys(deletable))
	}
	for ref := range refs {
		_, err := remote.Head(mustTag(t, ref), w.remoteAuth(t)...)
		if exists := err == nil; exists == deletable[ref] {
			t.Errorf("%s: exists %v after cleanup (%v)", ref, exists, err)
		}
	}
}

// origin is a bare git repository made from a work tree: main (commit M,
// annotated tag v1), live/a (commit A, tag v2-live), gone/b (commit B, tag
// v0-gone), with the clones of it in dir.
type origin struct {
	dir, origin string
	commit      map[string]string // M, A, B → full id
}

func newOrigin(t *testing.T) *origin {
	t.Helper()
	g := &origin{dir: t.TempDir(), commit: map[string]string{}}
	g.origin = filepath.Join(g.dir, "origin.git")
	src := filepath.Join(g.dir, "src")
	runGit(t, g.dir, "init", "-q", "-b", "main", src)
	for _, step := range []struct{ branch, commit, tag string }{{"main", "M", "v1"}, {"live/a", "A", "v2-live"}, {"gone/b", "B", "v0-gone"}} {
		if step.branch != "main" {
			runGit(t, src, "checkout", "-q", "-b", step.branch, "main")
		}
		runGit(t, src, "commit", "-q", "--allow-empty", "-m", step.commit)
		g.commit[step.commit] = runGit(t, src, "rev-parse", "HEAD")
		runGit(t, src, "tag", "-a", "-m", step.tag, step.tag)
	}
	runGit(t, src, "checkout", "-q", "main")
	runGit(t, g.dir, "clone", "-q", "--bare", src, g.origin)
	runGit(t, g.dir, "clone", "-q", "file://"+g.origin, "stale") // cloned before anything is gone, never fetched again
	return g
}

// forget deletes gone/b and v0-gone from the origin, and B with them.
func (g *origin) forget(t *testing.T) {
	runGit(t, g.origin, "branch", "-q", "-D", "gone/b")
	runGit(t, g.origin, "tag", "-d", "v0-gone")
	runGit(t, g.origin, "reflog", "expire", "--expire=now", "--all")
	runGit(t, g.origin, "gc", "-q", "--prune=now")
}

// provable says whether a clone shape proves absence with the origin
// answering, and with it gone.
type provable struct{ asked, inferred bool }

func (g *origin) cloneShapes(t *testing.T) map[string]provable {
	url := "file://" + g.origin
	for _, steps := range [][]string{
		{"clone", "-q", url, "full"},
		{"clone", "-q", url, "detached"}, {"-C", "detached", "checkout", "-q", "--detach", "v1"},
		{"clone", "-q", "--depth", "1", url, "shallow"},
		{"clone", "-q", "--single-branch", "--branch", "main", url, "single-branch"},
		{"clone", "-q", "--no-tags", url, "no-tags"},
		{"clone", "-q", "--depth", "1", url, "unshallowed"}, {"-C", "unshallowed", "fetch", "-q", "--unshallow"},
		{"init", "-q", "gitlab"}, {"-C", "gitlab", "remote", "add", "origin", url},
		{"-C", "gitlab", "fetch", "-q", "origin", "+refs/heads/main:refs/remotes/origin/main"},
		{"-C", "gitlab", "update-ref", "refs/pipelines/7", "refs/remotes/origin/main"},
	} {
		runGit(t, g.dir, steps...)
	}
	// Only a full clone holds every commit and proves everything; a stale
	// one holds B still, and, with the origin gone, gone/b and v0-gone.
	return map[string]provable{"full": {true, true}, "detached": {true, true}, "stale": {false, false},
		"shallow": {}, "single-branch": {}, "no-tags": {}, "unshallowed": {}, "gitlab": {}}
}

// alive reports whether the git fact behind an image still exists at the
// origin: a branch or tag that slugs to it, a commit it is a prefix of.
func (g *origin) alive(t *testing.T, strategy, value string) bool {
	t.Helper()
	var out string
	switch strategy {
	case "git-branch":
		out = runGit(t, g.origin, "for-each-ref", "--format=%(refname:strip=2)", "refs/heads")
	case "git-tag":
		out = runGit(t, g.origin, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags")
	case "git-commit":
		return slices.ContainsFunc(strings.Fields(runGit(t, g.origin, "rev-list", "--all")), func(c string) bool {
			return strings.HasPrefix(c, value)
		})
	default:
		return false
	}
	return slices.ContainsFunc(strings.Fields(out), func(n string) bool {
		return n == value || slug.Strict.Apply(n) == slug.Strict.Apply(value)
	})
}

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
