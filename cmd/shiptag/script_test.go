package main

import (
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run this package's main as the shiptag command,
// so the scenarios exercise the real binary: flags, variables, files, exit
// codes.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"shiptag": main})
}

// TestScripts runs testdata/script/*.txtar: one file per CI platform
// situation, each comparing stdout and the output files exactly. testscript
// gives every script a clean environment, so no variable of the machine
// running the tests (GITHUB_ACTIONS, say) leaks in.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			// Local scenarios make their own repositories; git must not find
			// one above the work directory.
			env.Setenv("GIT_CEILING_DIRECTORIES", env.WorkDir+"/..")
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("GIT_AUTHOR_NAME", "shiptag test")
			env.Setenv("GIT_AUTHOR_EMAIL", "test@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "shiptag test")
			env.Setenv("GIT_COMMITTER_EMAIL", "test@example.com")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"envfile": envFile},
	})
}

// envFile sets a variable to a file's content without its final newline:
// "envfile VAR FILE". It is how a script passes a multi-line value, as a
// GitHub Action or GitLab component input with several lines arrives.
func envFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envfile VAR FILE")
	}
	ts.Setenv(args[0], strings.TrimSuffix(ts.ReadFile(args[1]), "\n"))
}
