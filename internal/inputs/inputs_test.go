package inputs

import (
	"errors"
	"testing"
)

func TestError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a flag with its variable", Errorf("repo-mode", "unknown repo mode %q", "x"), `--repo-mode (SHIPTAG_REPO_MODE): unknown repo mode "x"`},
		{"a command's own flag", Flag("password-stdin", errors.New("empty")), "--password-stdin: empty"},
		{"a variable outside the settings", Variablef("SOURCE_DATE_EPOCH", "%q is not a number", "x"), `SOURCE_DATE_EPOCH: "x" is not a number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var ie *Error
			if !errors.As(tc.err, &ie) {
				t.Fatalf("%v is not an *Error", tc.err)
			}
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
	inner := errors.New("inner")
	if !errors.Is(Errorf("repo", "bad: %w", inner), inner) {
		t.Error("Errorf does not wrap %w")
	}
}
