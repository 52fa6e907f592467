package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/shiptag/shiptag/internal/config"
)

// releaseVersion is the version this source tree releases as. The GitHub
// Action's image tag and the GitLab component's default version must equal
// it (a test checks), and the release workflow refuses a git tag that does
// not.
const releaseVersion = "v0.1.0"

// version may be stamped at build time (-ldflags "-X main.version=…"), as
// scripts/build-image does; otherwise it is releaseVersion.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	return releaseVersion
}

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print shiptag's version",
		about:   "Version prints the version of this shiptag binary.",
		run:     runVersion,
	}
}

func runVersion(_ context.Context, e *runEnv, args []string) error {
	if _, err := parseFlagsOnly(versionCommand(), e, args, func(*flag.FlagSet, *config.Config) {}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "shiptag %s\n", buildVersion())
	return nil
}
