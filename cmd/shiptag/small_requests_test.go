package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/shiptag/shiptag/internal/config"
	"github.com/shiptag/shiptag/internal/inprocess"
)

// peakMeter is a registry that answers every manifest read and write and
// every blob read a little late, and remembers the most requests of each
// kind it held at once.
type peakMeter struct {
	next  http.Handler
	mu    sync.Mutex
	now   map[string]int
	peaks map[string]int
}

func (p *peakMeter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := inprocess.Kind(r)
	if kind == "manifest GET" || kind == "blob GET" || kind == "manifest PUT" {
		p.mu.Lock()
		p.now[kind]++
		p.peaks[kind] = max(p.peaks[kind], p.now[kind])
		p.mu.Unlock()
		time.Sleep(50 * time.Millisecond) // a registry some way off
		defer func() { p.mu.Lock(); p.now[kind]--; p.mu.Unlock() }()
	}
	p.next.ServeHTTP(w, r)
}

// TestSmallRequestsManyAtOnce checks that, with --jobs left automatic, a
// publish writes its manifests config.AutoSmallJobs at a time, not 16 as
// its uploads go, and that cleanup reads tags as many at a time, configs as
// well as manifests: go-containerregistry holds a puller's blob reads to its
// own job count, which once left the configs at 16 while the manifests went 64.
func TestSmallRequestsManyAtOnce(t *testing.T) {
	t.Parallel()
	meter := &peakMeter{next: registry.New(registry.Logger(log.New(io.Discard, "", 0))), now: map[string]int{}, peaks: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: meter}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	gitRepo(t, dir, "main", nil)
	var tags []string
	for i := range 2 * config.AutoSmallJobs {
		tags = append(tags, fmt.Sprintf("c%d", i))
	}
	repo := ln.Addr().String() + "/app"
	// Default labels name each tag: every tag is a manifest and a config of its own.
	if code, _, stderr := runArgs(t, nil, "publish", "--platform", "local", "--repo", repo, "--image",
		"=oci:"+filepath.Join(dir, "build", "backend"), "--tag-custom", strings.Join(tags, ",")); code != exitOK {
		t.Fatalf("publish: exit %d: %s", code, stderr)
	}
	meter.wantPeaks(t, "publish", "manifest PUT")
	if code, _, stderr := runArgs(t, nil, "cleanup", "--dry-run", "--platform", "local", "--repo", repo, "--git-dir", dir); code != exitOK {
		t.Fatalf("cleanup: exit %d: %s", code, stderr)
	}
	meter.wantPeaks(t, "cleanup", "manifest GET", "blob GET")
}

// wantPeaks checks that the run held more requests of each kind at once
// than the 16 of the uploads, and at most AutoSmallJobs; then it forgets.
func (p *peakMeter) wantPeaks(t *testing.T, run string, kinds ...string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, kind := range kinds {
		if got := p.peaks[kind]; got <= config.AutoJobs || got > config.AutoSmallJobs {
			t.Errorf("%s held %d %ss at once; want more than the %d of the uploads, at most %d", run, got, kind, config.AutoJobs, config.AutoSmallJobs)
		}
	}
	clear(p.peaks)
}
