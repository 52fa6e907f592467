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
