package main

import (
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/shiptag/shiptag/internal/registrytest"
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
// running the tests (GITHUB_ACTIONS, say) leaks in. Each script has its own
// in-process registry (go-containerregistry's) at $REGISTRY.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			setGitEnv(env)
			return startInProcessRegistry(env)
		},
		Cmds: harnessCommands(),
	})
}

// TestIntegration runs testdata/integration/*.txtar against Debian's
// docker-registry with TLS and basic auth, started empty for them by
// scripts/test-registry. $REGISTRY is its address; $REGISTRY_USER and
// $REGISTRY_PASSWORD log in; SSL_CERT_FILE trusts its CA.
func TestIntegration(t *testing.T) {
	if why := registrytest.Missing(); why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the real-registry scenarios cannot run in CI: %s", why)
		}
		t.Skipf("skipping the real-registry scenarios: %s", why)
	}
	reg := realRegistry(t)
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/integration",
		Setup: func(env *testscript.Env) error {
			setGitEnv(env)
			env.Setenv("REGISTRY", reg.Host)
			env.Setenv("REGISTRY_USER", reg.User)
			env.Setenv("REGISTRY_PASSWORD", reg.Password)
			env.Setenv("SSL_CERT_FILE", reg.CAFile)
			env.Values[serverKey{}] = reg
			env.Values[markKey{}] = new(int64)
			env.Values[awsKey{}] = new(*registrytest.AWS)
			env.Values[googleKey{}] = new([]string)
			return nil
		},
		Cmds: harnessCommands(),
	})
}

func setGitEnv(env *testscript.Env) {
	// No test reaches anything but loopback: the AWS SDK's credential chain
	// must not ask an instance metadata service.
	env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	// Local scenarios make their own repositories; git must not find one
	// above the work directory.
	env.Setenv("GIT_CEILING_DIRECTORIES", env.WorkDir+"/..")
	env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	env.Setenv("GIT_AUTHOR_NAME", "shiptag test")
	env.Setenv("GIT_AUTHOR_EMAIL", "test@example.com")
	env.Setenv("GIT_COMMITTER_NAME", "shiptag test")
	env.Setenv("GIT_COMMITTER_EMAIL", "test@example.com")
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
