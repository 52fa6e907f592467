package ci

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

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
			if msg := gitFailure(stderr.String()); msg != "" {
				return "", fmt.Errorf("%w: %s", err, msg)
			}
			return "", err
		}
		return strings.TrimSpace(stdout.String()), nil
	}
}

// gitFailure is what a failed git command wrote, in one line: its first
// line, and where git spells out its own fix, that too. Git does for a
// repository another user owns (a container job on a runner's checkout):
// it refuses to read it until it is named a safe.directory.
func gitFailure(stderr string) string {
	msg := strings.TrimSpace(stderr)
	for _, line := range strings.Split(msg, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "git config ") && strings.Contains(l, "safe.directory") {
			return firstLine(msg) + "; fix: " + l + " (the repository belongs to another user, as in a container job)"
		}
	}
	return firstLine(msg)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
