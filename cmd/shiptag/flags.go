package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/spelling"
)

// flagSet is a command's flags and its --help text printer.
type flagSet struct {
	*flag.FlagSet
	help func()
}

// newFlagSet returns a flag set for c whose errors run() reports, and whose
// --help shows the built-in defaults (never a value taken from a variable).
func newFlagSet(c command, e *runEnv, bind func(fs *flag.FlagSet, cfg *config.Config)) (*flagSet, *config.Config, error) {
	cfg, err := config.FromEnv(e.env)
	if err != nil {
		return nil, nil, usageError{err: err}
	}
	fs := flag.NewFlagSet("shiptag "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // errors are reported once, by run
	bind(fs, &cfg)
	help := func() {
		defaults := config.Defaults()
		hs := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
		bind(hs, &defaults)
		printHelp(e.stdout, c, hs)
	}
	return &flagSet{FlagSet: fs, help: help}, &cfg, nil
}

// bindFor binds the settings of command, for commands with no flag of
// their own.
func bindFor(command config.Command) func(*flag.FlagSet, *config.Config) {
	return func(fs *flag.FlagSet, cfg *config.Config) { config.Bind(fs, cfg, command) }
}

// parseFlagsOnly parses the command line of a command that takes flags and
// no arguments, over the settings the SHIPTAG_* variables gave.
func parseFlagsOnly(c command, e *runEnv, args []string, bind func(*flag.FlagSet, *config.Config)) (*config.Config, error) {
	fs, cfg, err := newFlagSet(c, e, bind)
	if err != nil {
		return nil, err
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	return cfg, noArgs(fs, rest)
}

// parseArgs parses flags anywhere on the command line (as most CLIs allow)
// and returns the other arguments; everything after "--" is an argument.
func parseArgs(fs *flagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help()
				return nil, err
			}
			return nil, usageError{explainFlagError(fs, err), helpHint(fs)}
		}
		left := fs.Args()
		if len(left) == 0 {
			return rest, nil
		}
		if consumed := len(args) - len(left); consumed > 0 && args[consumed-1] == "--" {
			return append(rest, left...), nil
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}

// badFlagValue is the flag package's error for a value it cannot parse.
var badFlagValue = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-([a-z0-9-]+): (.*)$`)

// explainFlagError adds the flag a mistyped one meant (-tags-custom: did
// you mean --tag-custom?) to the flag package's error, and names a bad
// value's variable too, with what the value must be.
func explainFlagError(fs *flagSet, err error) error {
	if m := badFlagValue.FindStringSubmatch(err.Error()); m != nil {
		want := m[3]
		if want == "parse error" {
			want = "it must be " + kindOf(fs.Lookup(m[2]))
		}
		return inputs.Errorf(m[2], "%q is not a valid value: %s", m[1], want)
	}
	typed, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return err
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if near, ok := spelling.Closest(strings.TrimLeft(typed, "-"), names); ok {
		return fmt.Errorf("%w: did you mean --%s?", err, near)
	}
	return err
}

// kindOf says what a flag's value must be, for errors.
func kindOf(f *flag.Flag) string {
	if f == nil {
		return "another value"
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return "true or false"
	}
	if _, err := strconv.Atoi(f.DefValue); err == nil {
		return "a whole number"
	}
	return "another value"
}

// helpHint says where a command's usage is.
func helpHint(fs *flagSet) string { return fmt.Sprintf("Run '%s --help' for usage.", fs.Name()) }

// noArgs refuses arguments for commands that take only flags.
func noArgs(fs *flagSet, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unexpected argument %q: this command takes only flags", args[0]), helpHint(fs)}
	}
	return nil
}

func printHelp(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage:\n  shiptag %s %s\n\n%s\n\nFlags:\n", c.name, c.args, c.about)
	var ordered []*flag.Flag
	for _, name := range config.Flags() {
		if f := fs.Lookup(name); f != nil {
			ordered = append(ordered, f)
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if config.Env(f.Name) == "" {
			ordered = append(ordered, f)
		}
	})
	for _, f := range ordered {
		kind, usage := flag.UnquoteUsage(f)
		if kind == "value" {
			kind = ""
		}
		fmt.Fprintf(w, "  --%s %s\n        %s\n", f.Name, kind, usage)
		var notes []string
		if env := config.Env(f.Name); env != "" {
			notes = append(notes, "env "+env)
		}
		if f.DefValue != "" && f.DefValue != "false" {
			notes = append(notes, fmt.Sprintf("default %q", f.DefValue))
		}
		if len(notes) > 0 {
			fmt.Fprintf(w, "        (%s)\n", strings.Join(notes, ", "))
		}
	}
	fmt.Fprintln(w, "  --help\n        show this help")
	fmt.Fprintf(w, "\nA list setting takes entries %s; in a variable or input too.\n", config.ListGrammar)
}
