package ci

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// localFacts asks git about the working directory. Every fact is optional: a
// directory that is not a repository, or a machine without git, simply has
// none, and only rules that need a fact fail, saying what was looked at.
func localFacts(ctx context.Context, git Git) Facts {
	f := Facts{Platform: Local, Looked: "git describe --exact-match --tags and git rev-parse --abbrev-ref HEAD in the working directory"}
	if git == nil {
		f.Looked = "nothing: no git command was given"
		return f
	}
	// One process for the commit and the branch: git is the slow part of a
	// local plan.
	out, err := git(ctx, "rev-parse", "HEAD", "--abbrev-ref", "HEAD")
	commit, branch, _ := strings.Cut(out, "\n")
	if err != nil || commit == "" {
		f.Looked += fmt.Sprintf(" (git rev-parse HEAD failed: %v)", err)
		return f
	}
	f.GitCommit = commit
	if tag, err := git(ctx, "describe", "--exact-match", "--tags", "HEAD"); err == nil {
		f.GitTag = tag
	}
	// On a detached HEAD, git names the branch "HEAD": there is none.
	if branch != "HEAD" {
		f.GitBranch = branch
	}
	f.Event = Event{Name: "push", SHA: commit}
	switch {
	case f.GitTag != "":
		f.Event.Ref = "refs/tags/" + f.GitTag
	case f.GitBranch != "":
		f.Event.Ref = "refs/heads/" + f.GitBranch
	}
	return f
}

// ExecGit returns a Git that runs the git command found on PATH in dir, with
// exactly the environment env (KEY=value entries), so that nothing below the
// caller reads the process environment.
func ExecGit(dir string, env []string) Git {
	return func(ctx context.Context, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			if msg := strings.TrimSpace(stderr.String()); msg != "" {
				return "", fmt.Errorf("%w: %s", err, firstLine(msg))
			}
			return "", err
		}
		return strings.TrimSpace(stdout.String()), nil
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
