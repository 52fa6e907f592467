package main

import (
	"context"
	"flag"
	"fmt"
	"runtime/debug"

	"github.com/shiptag/shiptag/internal/config"
)

// version is stamped at build time: -ldflags "-X main.version=v1.2.3".
var version = ""

// buildVersion is the stamped version, else the module version of a
// "go install …@vX" build, else "dev".
func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
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
