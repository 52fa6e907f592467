package cleanup

import (
	"context"
	"errors"
	"os/exec"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shiptag/shiptag/internal/ci"
)

// gitEnv keeps git away from the machine's and the user's configuration.
func gitEnv(dir string) []string {
	return []string{"GIT_CONFIG_NOSYSTEM=1", "HOME=" + dir, "GIT_CEILING_DIRECTORIES=" + dir,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com"}
}

func TestReadGit(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	ctx := context.Background()
	dir := t.TempDir()
	git := ci.ExecGit(dir, gitEnv(dir))
	for _, args := range [][]string{{"init", "-q", "-b", "main", "origin"}, {"-C", "origin", "commit", "-q", "--allow-empty", "-m", "one"},
		{"-C", "origin", "tag", "v1.0.0"}, {"-C", "origin", "branch", "feature/a"}, {"clone", "-q", "origin", "full"},
		{"clone", "-q", "--depth", "1", "file://" + dir + "/origin", "shallow"}} {
		if _, err := git(ctx, args...); err != nil {
			t.Fatal(err)
		}
	}
	head, _ := git(ctx, "-C", "origin", "rev-parse", "HEAD")

	for name, want := range map[string][]string{"origin": {"feature/a", "main"}, "full": {"feature/a", "main"}} {
		g, err := ReadGit(ctx, RunGit(ci.ExecGit(dir+"/"+name, gitEnv(dir))))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, g.Branches); diff != "" { // full: remote-tracking, without origin/HEAD
			t.Errorf("%s: branches (-want +got):\n%s", name, diff)
		}
		if diff := cmp.Diff([]string{"v1.0.0"}, g.Tags); diff != "" {
			t.Errorf("%s: tags (-want +got):\n%s", name, diff)
		}
		if !g.HasCommit(head) || g.HasCommit("0000000000000000000000000000000000000000") {
			t.Errorf("%s: HasCommit is wrong", name)
		}
	}
	_, err := ReadGit(ctx, RunGit(ci.ExecGit(dir+"/shallow", gitEnv(dir))))
	if !errors.As(err, new(ShallowError)) {
		t.Errorf("shallow clone: err = %v, want ShallowError", err)
	}
}
