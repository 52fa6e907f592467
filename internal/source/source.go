// Package source opens the already-built images that shiptag publishes. A
// source is written with a transport prefix as skopeo users know it
// (oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF],
// docker-daemon:NAME[:TAG], docker://REF or a plain reference), and opens to
// an Artifact: one image or one multi-platform index.
package source

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/engine"

	"github.com/shiptag/shiptag/internal/spelling"
)

// Artifact is an opened source: exactly one of Image and Index is set.
type Artifact struct {
	Image v1.Image
	Index v1.ImageIndex
}

// Taggable is what the registry writer pushes.
func (a Artifact) Taggable() remote.Taggable {
	if a.Index != nil {
		return a.Index
	}
	return a.Image
}

// Digest is the digest of the artifact's manifest.
func (a Artifact) Digest() (v1.Hash, error) {
	if a.Index != nil {
		return a.Index.Digest()
	}
	return a.Image.Digest()
}

// Transport names where a source is read from.
type Transport string

const (
	OCI           Transport = "oci"
	OCIArchive    Transport = "oci-archive"
	DockerArchive Transport = "docker-archive"
	DockerDaemon  Transport = "docker-daemon"
	Registry      Transport = "docker"
)

// Source is a parsed source string.
type Source struct {
	Transport Transport
	// Path is the directory or file (oci, oci-archive, docker-archive), the
	// image name (docker-daemon) or the reference (docker).
	Path string
	// Ref picks one image inside a layout or archive; empty when there is
	// only one.
	Ref string
}

// String writes the source back in its transport:path form.
func (s Source) String() string {
	out := string(s.Transport) + ":" + s.Path
	if s.Transport == Registry {
		out = "docker://" + s.Path
	}
	if s.Ref != "" {
		out += ":" + s.Ref
	}
	return out
}

// Parse reads a source string. Paths may not contain ':' (as in skopeo),
// since the part after the first ':' names an image inside. A reference
// as people write it (alpine:3.20, ghcr.io/o/app:1, nginx) is a registry
// source; a prefix that looks like a mistyped or unsupported transport,
// and a bare local path, are refused with the form to write instead.
func Parse(s string) (Source, error) {
	if s == "" {
		return Source{}, fmt.Errorf("no source: write NAME=SOURCE, e.g. backend=oci:./backend")
	}
	if rest, ok := strings.CutPrefix(s, "docker://"); ok {
		return Source{Transport: Registry, Path: rest}, nil
	}
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~") {
		return Source{}, fmt.Errorf("source %q is a local path without a transport: write oci:%s for an OCI layout directory, "+
			"or oci-archive:%s / docker-archive:%s for a tar file", s, s, s, s)
	}
	prefix, rest, ok := strings.Cut(s, ":")
	switch t := Transport(prefix); {
	case !ok:
		return Source{Transport: Registry, Path: s}, nil
	case t == OCI || t == OCIArchive || t == DockerArchive:
		path, ref, _ := strings.Cut(rest, ":")
		if path == "" {
			return Source{}, fmt.Errorf("source %q names no path: write %s:PATH", s, t)
		}
		return Source{Transport: t, Path: path, Ref: ref}, nil
	case t == DockerDaemon:
		if rest == "" {
			return Source{}, fmt.Errorf("source %q names no image: write docker-daemon:NAME[:TAG]", s)
		}
		return Source{Transport: t, Path: rest}, nil
	case strings.ContainsAny(prefix, "./") || prefix == "localhost":
		// host:port/repo:tag, a plain registry reference.
		return Source{Transport: Registry, Path: s}, nil
	}
	return parseOther(s, prefix)
}

// supported are the transports Parse reads; unsupported are skopeo's
// others, refused by name.
var (
	supported   = []string{string(OCI), string(OCIArchive), string(DockerArchive), string(DockerDaemon)}
	unsupported = []string{"containers-storage", "dir", "ostree", "sif", "tarball"}
)

// parseOther reads NAME:TAG as a registry reference (alpine:3.20), unless
// its prefix is a transport shiptag does not read, or one mistyped.
func parseOther(s, prefix string) (Source, error) {
	use := "use oci:, oci-archive:, docker-archive:, docker-daemon: or docker://"
	if known, ok := spelling.Closest(prefix, append(append([]string{}, supported...), unsupported...)); ok {
		switch {
		case known == prefix:
			return Source{}, fmt.Errorf("source %q has a transport shiptag does not read, %q: %s", s, prefix, use)
		case slices.Contains(unsupported, known):
			return Source{}, fmt.Errorf("source %q has an unknown transport %q: %s", s, prefix, use)
		}
		return Source{}, fmt.Errorf("source %q has an unknown transport %q: did you mean %s:? (%s)", s, prefix, known, use)
	}
	if _, err := name.ParseReference(s); err != nil {
		return Source{}, fmt.Errorf("source %q has an unknown transport %q, and is no image reference either (%v): %s", s, prefix, err, use)
	}
	return Source{Transport: Registry, Path: s}, nil
}

// Options are what opening a source may need.
type Options struct {
	// Keychain authenticates reads from registries.
	Keychain authn.Keychain
	// Remote are extra options for registry reads (transport, retries).
	Remote []remote.Option
	// NameOptions parse a registry reference (insecure registries); nil
	// for none.
	NameOptions func(ref string) []name.Option
	// Engine names the Docker Engine, for docker-daemon.
	Engine engine.Options
	// TempDir holds Docker Engine exports; the caller removes it.
	TempDir string
	// Jobs is how many blobs of a local source are verified at a time.
	Jobs int
	// Warm, if set, dials a registry's connections for blob data ahead
	// (HOST[:PORT], how many): a docker:// source's config is read over
	// one, right after its manifest, and a fresh one costs TCP and TLS.
	Warm func(host string, n int)
	// Defer, if set, takes the verification of local sources' blobs, for
	// the caller to run beside its own reads (see Deferred), and leaves a
	// registry source's configs unread until something needs them; nil
	// verifies and reads each source as it is opened.
	Defer *Deferred
	label string // the image being opened, for a deferred verification's error
}

// Open reads the source's manifests and configs, so that a bad source
// fails before anything is pushed; a local one (oci, oci-archive,
// docker-archive) has every blob read and checked against its digest and
// size too (under Options.Defer, later). Under Options.Defer nothing
// waits for a registry source's configs (an index's are read ahead, for
// the walks that may need them); they are left to whoever needs them:
// labelling reads them before anything is written, and an image published
// unchanged copies its config by digest without parsing it (a mount, or
// an upload read from the source, which fails before any manifest naming
// it is written; in the source's own repository it is there with the
// source). Reading it first would cost every promotion a round trip for
// nothing it uses.
func Open(ctx context.Context, s Source, o Options) (Artifact, error) {
	var (
		a    Artifact
		err  error
		mode = checkStored
	)
	switch s.Transport {
	case OCI:
		a, err = openLayout(s.Path, s.Ref)
	case OCIArchive:
		a, err = openOCIArchive(ctx, s)
	case DockerArchive:
		a, mode, err = openDockerArchive(ctx, s.Path, s.Ref)
	case DockerDaemon:
		a, err = openDaemon(ctx, s.Path, o)
	case Registry:
		a, err = openRemote(ctx, s.Path, o)
	default:
		err = fmt.Errorf("unknown transport %q", s.Transport)
	}
	if err != nil {
		return Artifact{}, fmt.Errorf("opening %s: %w", s, err)
	}
	if s.Transport == Registry && o.Defer != nil {
		return a, nil
	}
	if err := check(a); err != nil {
		return Artifact{}, fmt.Errorf("opening %s: %w", s, err)
	}
	switch s.Transport {
	case OCI, OCIArchive, DockerArchive:
		check := func(ctx context.Context) error {
			if err := verify(ctx, a, hashers(o.Jobs), mode); err != nil {
				return fmt.Errorf("verifying %s: %w", s, err)
			}
			return nil
		}
		if o.Defer != nil {
			o.Defer.add(o.label, check)
			return a, nil
		}
		if err := check(ctx); err != nil {
			return Artifact{}, err
		}
	}
	return a, nil
}

// check reads every manifest and config of a, and the digest of every layer.
func check(a Artifact) error {
	return EachImage(a, func(_ v1.Descriptor, img v1.Image) error {
		if _, err := img.ConfigFile(); err != nil {
			return err
		}
		_, err := img.Manifest()
		return err
	})
}
