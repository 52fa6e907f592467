package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/platform"
	"github.com/shiptag/shiptag/internal/spelling"
)

// Exit codes: 2 for anything the user must fix in the command or its
// settings, 1 for failures at run time.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// runEnv is what every subcommand gets from run: the environment as a map
// (nothing below run reads the process environment) and the output streams.
type runEnv struct {
	environ []string
	env     map[string]string
	// vars are the variables outside SHIPTAG_* that shiptag reads, parsed.
	vars   config.Environment
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// platform is the CI platform, once a command has picked it: run
	// annotates the job with the command's error there.
	platform platform.Platform
}

func (e *runEnv) getenv(key string) string { return e.env[key] }

// command is one subcommand.
type command struct {
	name, args, summary, about string
	run                        func(ctx context.Context, e *runEnv, args []string) error
}

func commands() []command {
	return []command{planCommand(), publishCommand(), exportCommand(), metaCommand(), cleanupCommand(), slugifyCommand(), ciEnvCommand(), demoCommand(), versionCommand()}
}

// run executes one shiptag command line and returns the exit code.
func run(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := envMap(environ)
	e := &runEnv{environ: environ, env: env, vars: config.ReadEnvironment(env), stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" {
			args = []string{args[1], "--help"} // shiptag help CMD
			break
		}
		printUsage(stdout)
		return exitOK
	case "--version", "-version":
		args = []string{"version"}
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, e, args[1:])
			if err != nil && ctx.Err() != nil {
				// A signal ended the run: say so, not what it cut short.
				err = fmt.Errorf("stopped: %w", context.Cause(ctx))
			}
			if err != nil && e.platform != nil {
				e.platform.Annotate(platform.Error, fmt.Sprintf("shiptag %s: %v", c.name, err))
			}
			return exitCode(err, "shiptag "+c.name, stderr)
		}
	}
	fmt.Fprintf(stderr, "shiptag: unknown command %q\n%sRun 'shiptag help' for the list of commands.\n", args[0], suggestCommand(args[0]))
	return exitUsage
}

// usageError is a mistake in the command line itself; hint, if any, is a
// line of its own after it (where to read the usage).
type usageError struct {
	err  error
	hint string
}

// Error is the underlying error's text, then the hint.
func (u usageError) Error() string {
	if u.hint == "" {
		return u.err.Error()
	}
	return u.err.Error() + "\n" + u.hint
}

// Unwrap returns the underlying error.
func (u usageError) Unwrap() error { return u.err }

func exitCode(err error, prefix string, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
	var input *inputs.Error
	if errors.As(err, &input) || errors.As(err, new(usageError)) {
		return exitUsage
	}
	return exitFailure
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "shiptag publishes already-built container images under tags derived from CI (git tag, branch, commit).\n\n"+
		"Usage:\n  shiptag COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nEvery flag can also be set as a SHIPTAG_* variable; flags win.\nRun 'shiptag COMMAND --help' for a command's flags.\n")
}

func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// suggestCommand names the command a mistyped one meant, if one is near.
func suggestCommand(typed string) string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if near, ok := spelling.Closest(strings.TrimLeft(typed, "-"), names); ok {
		return fmt.Sprintf("Did you mean %q? ", near)
	}
	return ""
}
