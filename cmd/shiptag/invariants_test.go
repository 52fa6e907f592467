package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/output"
	"github.com/shiptag/shiptag/internal/slug"
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
