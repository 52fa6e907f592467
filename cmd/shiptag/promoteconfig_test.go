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
// manifest is written.
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
	}{
		{"unchanged, refused", "refused", "none", exitOK, true},
		{"labelled, refused", "refused", "shared", exitFailure, false},
		{"unchanged, gone", "gone", "none", exitFailure, false},
	} {
		guard.mode.Store(tc.mode)
		guard.reads.Store(0)
		target := host + "/" + strings.NewReplacer(",", "", " ", "-").Replace(tc.name)
		code, _, stderr := runArgs(t, nil, "publish", "--platform", "local", "--repo", target, "--image", "=docker://"+src.String(),
			"--tag-custom", "a", "--meta-labels", tc.labels)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d: %s", tc.name, code, tc.code, stderr)
		}
		ref, err := name.NewTag(target + ":a")
		if err != nil {
			t.Fatal(err)
		}
		desc, err := remote.Head(ref)
		switch {
		case tc.written && (err != nil || desc.Digest != want):
			t.Errorf("%s: %s:a is %v (%v), want the source's %s", tc.name, target, desc, err, want)
		case !tc.written && err == nil:
			t.Errorf("%s: %s:a was written", tc.name, target)
		}
		if tc.labels == "none" && tc.mode == "refused" && guard.reads.Load() != 0 {
			t.Errorf("%s: the config was read %d times, want 0", tc.name, guard.reads.Load())
		}
	}
}
