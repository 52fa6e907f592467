package main

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/sample"
)

// configGuard stands before a registry and says how it serves one config
// blob: as it is, refused (403 to a read), or gone (404 to a read or a
// look, and a mount of it opens an upload instead, as a registry does for
// a blob the source repository lacks). It counts the reads.
type configGuard struct {
	next   http.Handler
	config string // sha256:…
	mode   atomic.Value
	reads  atomic.Int32
}

func (g *configGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mode, _ := g.mode.Load().(string)
	if strings.HasSuffix(r.URL.Path, "/blobs/"+g.config) {
		if r.Method == http.MethodGet {
			g.reads.Add(1)
		}
		switch mode {
		case "refused":
			if r.Method == http.MethodGet {
				http.Error(w, `{"errors":[{"code":"DENIED","message":"no"}]}`, http.StatusForbidden)
				return
			}
		case "gone":
			http.Error(w, `{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}`, http.StatusNotFound)
			return
		}
	}
	if mode == "gone" && r.URL.Query().Get("mount") == g.config {
		r.URL.RawQuery = url.Values{}.Encode()
	}
	g.next.ServeHTTP(w, r)
}

// TestPromotionConfigRead publishes a registry source whose config the
// registry refuses, or lacks. Published unchanged, the config is copied by
// digest and never read; labelled, it must be read, and the refusal fails
// the run before anything is written; gone, the promotion fails before its
// manifest is written. Pushed by digest, the config is read for the
// platform the outputs name, before anything is pushed.
func TestPromotionConfigRead(t *testing.T) {
	t.Parallel()
	layer, err := sample.Layer(3, 1000)
	if err != nil {
		t.Fatal(err)
	}
	img, err := sample.Image("linux/amd64", layer)
	if err != nil {
		t.Fatal(err)
	}
	config, _ := img.ConfigName()
	guard := &configGuard{next: registry.New(registry.Logger(log.New(io.Discard, "", 0))), config: config.String()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: guard}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	host := ln.Addr().String()
	src, _ := name.NewTag(host + "/src/app:1")
	if err := remote.Write(src, img); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	for _, tc := range []struct {
		name, mode string
		labels     string
		code       int
		written    bool
		args       []string // how it is tagged
	}{
		{"unchanged, refused", "refused", "none", exitOK, true, nil},
		{"labelled, refused", "refused", "shared", exitFailure, false, nil},
		{"unchanged, gone", "gone", "none", exitFailure, false, nil},
		{"by digest, refused", "refused", "none", exitFailure, false, []string{"--push-by-digest"}},
	} {
		guard.mode.Store(tc.mode)
		guard.reads.Store(0)
		target := host + "/" + strings.NewReplacer(",", "", " ", "-").Replace(tc.name)
		args := tc.args
		check := target + "@" + want.String()
		if args == nil {
			args, check = []string{"--tag-custom", "a"}, target+":a"
		}
		code, _, stderr := runArgs(t, nil, append([]string{"publish", "--platform", "local", "--repo", target, "--image", "=docker://" + src.String(),
			"--meta-labels", tc.labels}, args...)...)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d: %s", tc.name, code, tc.code, stderr)
		}
		if tc.labels != "none" && !strings.Contains(stderr, "image (nameless): labelling "+target+":a") {
			t.Errorf("%s: stderr names neither the image nor the reference being labelled:\n%s", tc.name, stderr)
		}
		ref, err := name.ParseReference(check)
		if err != nil {
			t.Fatal(err)
		}
		desc, err := remote.Head(ref)
		switch {
		case tc.written && (err != nil || desc.Digest != want):
			t.Errorf("%s: %s is %v (%v), want the source's %s", tc.name, check, desc, err, want)
		case !tc.written && err == nil:
			t.Errorf("%s: %s was written", tc.name, check)
		}
		if tc.code == exitOK && guard.reads.Load() != 0 {
			t.Errorf("%s: the config was read %d times, want 0", tc.name, guard.reads.Load())
		}
	}
}
