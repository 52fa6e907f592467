package ci

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGitFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, stderr, want string
	}{
		{"empty", "", ""},
		{"one line", "fatal: not a git repository (or any of the parent directories): .git\n",
			"fatal: not a git repository (or any of the parent directories): .git"},
		{"first line only", "error: one\nhint: two\n", "error: one"},
		{"dubious ownership carries git's fix",
			"fatal: detected dubious ownership in repository at '/builds/app'\n" +
				"To add an exception for this directory, call:\n\n\tgit config --global --add safe.directory /builds/app\n",
			"fatal: detected dubious ownership in repository at '/builds/app'; fix: git config --global --add safe.directory /builds/app" +
				" (the repository belongs to another user, as in a container job)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, gitFailure(tc.stderr)); diff != "" {
				t.Errorf("gitFailure (-want +got):\n%s", diff)
			}
		})
	}
}
