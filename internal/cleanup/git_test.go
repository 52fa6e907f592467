package cleanup

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shiptag/shiptag/internal/ci"
)

// gitEnv keeps git away from the machine's and the user's configuration.
func gitEnv(dir string) []string {
	return []string{"GIT_CONFIG_NOSYSTEM=1", "HOME=" + dir, "GIT_CEILING_DIRECTORIES=" + dir, "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"PATH=" + os.Getenv("PATH")}
}

// proven is which kinds a clone can prove gone: branches, tags, commits.
type proven struct{ Branches, Tags, Commits bool }

// TestReadGitCloneShapes: every clone shape users have, once with the origin
// answering git ls-remote and once with it gone, says exactly what it can
// prove. The origin has main, feature/a (one commit of its own, and the
// lightweight tag v0.9 on it) and the annotated tag v1.0.0 on main.
func TestReadGitCloneShapes(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	ctx := context.Background()
	dir := t.TempDir()
	origin := filepath.Join(dir, "origin.git")
	url := "file://" + origin
	run := func(in string, args ...string) {
		t.Helper()
		if _, err := ci.ExecGit(filepath.Join(dir, in), gitEnv(dir))(ctx, args...); err != nil {
			t.Fatal(err)
		}
	}
	run("", "init", "-q", "-b", "main", "src")
	run("src", "commit", "-q", "--allow-empty", "-m", "one")
	run("src", "tag", "-a", "-m", "v1", "v1.0.0")
	run("src", "checkout", "-q", "-b", "feature/a")
	run("src", "commit", "-q", "--allow-empty", "-m", "a")
	run("src", "tag", "v0.9")
	run("src", "checkout", "-q", "main")
	run("", "clone", "-q", "--bare", "src", origin)
	shapes := map[string][][]string{
		"full":          {{"clone", "-q", url, "full"}},
		"detached":      {{"clone", "-q", url, "detached"}, {"-C", "detached", "checkout", "-q", "--detach"}},
		"shallow":       {{"clone", "-q", "--depth", "1", url, "shallow"}},
		"single-branch": {{"clone", "-q", "--single-branch", "--branch", "main", url, "single-branch"}},
		"no-tags":       {{"clone", "-q", "--no-tags", url, "no-tags"}},
		"unshallowed":   {{"clone", "-q", "--depth", "1", url, "unshallowed"}, {"-C", "unshallowed", "fetch", "-q", "--unshallow"}},
		"mirror":        {{"clone", "-q", "--mirror", url, "mirror"}},
		"gitlab": {{"init", "-q", "gitlab"}, {"-C", "gitlab", "remote", "add", "origin", url},
			{"-C", "gitlab", "fetch", "-q", "origin", "+refs/heads/main:refs/remotes/origin/main"},
			{"-C", "gitlab", "update-ref", "refs/pipelines/7", "refs/remotes/origin/main"}},
	}
	for _, steps := range shapes {
		for _, args := range steps {
			run("", args...)
		}
	}
	all := proven{true, true, true}
	asked := map[string]proven{"full": all, "detached": all, "no-tags": all, "mirror": all,
		"shallow":       {true, true, false},
		"single-branch": {true, true, false}, // feature/a's tip is not in the clone
		"unshallowed":   {true, true, false},
		"gitlab":        {true, true, false},
		"src":           all, // no remote: the repository itself
	}
	inferred := map[string]proven{"full": all, "detached": all, "src": all, "mirror": all,
		"shallow": {}, "single-branch": {}, "no-tags": {Branches: true}, "unshallowed": {}, "gitlab": {},
	}
	check := func(t *testing.T, want map[string]proven, wantTags []string) {
		for shape, want := range want {
			g, err := ReadGit(ctx, RunGit(ci.ExecGit(filepath.Join(dir, shape), gitEnv(dir))), Checkout{})
			if err != nil {
				t.Fatalf("%s: %v", shape, err)
			}
			got := proven{g.Unproven.Branches == "", g.Unproven.Tags == "", g.Unproven.Commits == ""}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: what it proves (-want +got):\n%s\n%+v", shape, diff, g.Unproven)
			}
			if (got != all) != (g.Advice() != "") {
				t.Errorf("%s: advice %q for %+v", shape, g.Advice(), got)
			}
			if got.Branches && !cmp.Equal(g.Branches, []string{"feature/a", "main"}) {
				t.Errorf("%s: proves branches %v", shape, g.Branches)
			}
			if got.Tags && !cmp.Equal(g.Tags, wantTags) {
				t.Errorf("%s: proves tags %v, want %v", shape, g.Tags, wantTags)
			}
		}
	}
	t.Run("origin answers", func(t *testing.T) { check(t, asked, []string{"v0.9", "v1.0.0"}) })
	if err := os.Rename(origin, origin+".moved"); err != nil {
		t.Fatal(err)
	}
	t.Run("origin gone", func(t *testing.T) { check(t, inferred, []string{"v0.9", "v1.0.0"}) })

	g, err := ReadGit(ctx, RunGit(ci.ExecGit(filepath.Join(dir, "src"), gitEnv(dir))), Checkout{PipelineOnly: "a GitLab job"})
	if err != nil || g.Unproven.Branches == "" || g.Unproven.Commits == "" {
		t.Errorf("a GitLab job's clone proves branches or commits gone: %+v, %v", g.Unproven, err)
	}
	full, _ := ReadGit(ctx, RunGit(ci.ExecGit(filepath.Join(dir, "full"), gitEnv(dir))), Checkout{})
	if len(full.Commits) != 2 || full.CommitDates[full.Commits[0]].IsZero() || full.TagDates["v1.0.0"].IsZero() {
		t.Errorf("commits %v, dates %v %v", full.Commits, full.CommitDates, full.TagDates)
	}
}
