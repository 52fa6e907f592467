// Command buildimage assembles shiptag's release image from files already
// on disk, pulling no image: for each architecture, the static shiptag
// binary and Debian's packages extracted by scripts/build-image (busybox for
// the shell GitLab runs scripts with, git with the libraries it needs for
// cleanup, CA certificates). It writes a two-platform index as an OCI
// archive, the same bytes for the same inputs.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "buildimage: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("buildimage", flag.ContinueOnError)
	out := fs.String("out", "", "the OCI archive to write")
	epoch := fs.String("epoch", "", "the image's time, in seconds since 1970 (the commit's)")
	version := fs.String("version", "", "shiptag's version, for the labels")
	revision := fs.String("revision", "", "the commit, for the labels")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secs, err := strconv.ParseInt(*epoch, 10, 64)
	if err != nil || *out == "" || fs.NArg() == 0 {
		return fmt.Errorf("usage: buildimage --out FILE --epoch SECONDS [--version V] [--revision SHA] ARCH=DIR [ARCH=DIR]")
	}
	b := build{created: time.Unix(secs, 0).UTC(), version: *version, revision: *revision}
	for _, a := range fs.Args() {
		arch, dir, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("%q: write ARCH=DIR, e.g. amd64=work/amd64", a)
		}
		b.arches = append(b.arches, archDir{arch: arch, dir: dir})
	}
	return b.write(ctx, *out)
}
