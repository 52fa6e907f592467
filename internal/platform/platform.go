// Package platform is the CI system shiptag runs in, picked once per run:
// it reads the system's variables into ci.Facts and writes each command's
// outputs, masks secrets, groups log lines and annotates the job the way
// that system shows them. One file per platform; adding one is a new file
// and an entry in platforms below.
package platform

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/output"
)

// Platform is what the commands need of the CI system.
type Platform interface {
	// Facts are the job's facts, read when the platform was picked.
	Facts() ci.Facts
	// CheckOutputs fails, before anything is pushed or deleted, when an
	// output file the platform will write cannot be written.
	CheckOutputs() error
	// WriteOutputs writes a command's outputs where the platform's later
	// steps and jobs read them, and says on the log what it had to leave
	// out or put elsewhere.
	WriteOutputs(o output.Outputs) error
	// Mask keeps a secret out of the job's log.
	Mask(secret string)
	// Group starts a collapsible section of the log; end closes it.
	Group(title string) (end func())
	// Annotate marks the job with a warning or an error, where the
	// platform shows such marks beside the log; the log line itself is the
	// caller's.
	Annotate(level Level, msg string)
	// PartialCheckout names the kind of checkout that may hold only the
	// job's own refs (for cleanup, which must then keep what it cannot
	// see), or "" when nothing is known.
	PartialCheckout() string
	// Interactive reports whether a person may be watching the log live,
	// so that progress can redraw in place.
	Interactive() bool
}

// Level is an annotation's severity.
type Level int

// The annotation levels.
const (
	Warning Level = iota
	Error
)

// Options are what picking a platform needs; nothing here reads the
// process environment.
type Options struct {
	// Name is --platform: ci.Auto detects it from the environment.
	Name ci.Platform
	// Getenv reads the job's environment.
	Getenv ci.Getenv
	// Git runs git in the working directory; nil when the command needs no
	// git facts (a local run then has none).
	Git ci.Git
	// Log is where notes, masks, groups and annotations go.
	Log io.Writer
	// DotenvFile is --dotenv-file: a report written on any platform.
	DotenvFile string
}

// entry is one known platform: how to recognise its jobs, and how to open it.
type entry struct {
	name   ci.Platform
	detect func(getenv ci.Getenv) bool
	open   func(ctx context.Context, o Options) (Platform, error)
}

// platforms lists every platform, in the order Auto tries them; the last
// (local) matches anything.
var platforms = []entry{
	{ci.GitHub, isGitHub, openGitHub},
	{ci.GitLab, isGitLab, openGitLab},
	{ci.Local, func(ci.Getenv) bool { return true }, openLocal},
}

// Open picks the platform named, or detects it, and reads its facts.
func Open(ctx context.Context, o Options) (Platform, error) {
	name := o.Name
	if name == "" {
		name = ci.Auto
	}
	for _, p := range platforms {
		if p.name == name || (name == ci.Auto && p.detect(o.Getenv)) {
			return p.open(ctx, o)
		}
	}
	return nil, fmt.Errorf("unknown platform %q: use one of %s", name, Names())
}

// Names lists the values --platform accepts.
func Names() string {
	names := []string{string(ci.Auto)}
	for _, p := range platforms {
		names = append(names, string(p.name))
	}
	return strings.Join(names, ", ")
}

// Known reports whether --platform accepts name.
func Known(name string) bool {
	if name == string(ci.Auto) {
		return true
	}
	for _, p := range platforms {
		if string(p.name) == name {
			return true
		}
	}
	return false
}
