package platform

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/shiptag/shiptag/internal/ci"
	"github.com/shiptag/shiptag/internal/output"
)

// localFacts asks git about the working directory. Every fact is optional: a
// directory that is not a repository, or a machine without git, simply has
// none, and only rules that need a fact fail, saying what was looked at.
func localFacts(ctx context.Context, git ci.Git) ci.Facts {
	f := ci.Facts{Platform: ci.Local, Looked: "git describe --exact-match --tags and git rev-parse --abbrev-ref HEAD in the working directory"}
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
	f.Event = ci.Event{Name: "push", SHA: commit}
	switch {
	case f.GitTag != "":
		f.Event.Ref = "refs/tags/" + f.GitTag
	case f.GitBranch != "":
		f.Event.Ref = "refs/heads/" + f.GitBranch
	}
	return f
}

// local is a developer's shell (or any CI shiptag does not know): git facts
// from the git command, outputs only where --dotenv-file points.
type local struct {
	facts  ci.Facts
	log    io.Writer
	report dotenvReport
}

func openLocal(ctx context.Context, o Options) (Platform, error) {
	return &local{facts: localFacts(ctx, o.Git), log: o.Log, report: dotenvReport{path: o.DotenvFile}}, nil
}

func (l *local) Facts() ci.Facts                     { return l.facts }
func (l *local) CheckOutputs() error                 { return l.report.check() }
func (l *local) WriteOutputs(o output.Outputs) error { return l.report.write(o, l.log) }
func (l *local) Mask(string)                         {}
func (l *local) Group(string) func()                 { return func() {} }
func (l *local) Annotate(Level, string)              {}
func (l *local) PartialCheckout() string             { return "" }

// Interactive is true: a person may be watching (the caller still checks
// that the log is a terminal).
func (l *local) Interactive() bool { return true }
