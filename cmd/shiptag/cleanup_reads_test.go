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

// peakMeter is a registry that answers every read a little late and
// remembers the most reads of each kind it held at once.
type peakMeter struct {
	next  http.Handler
	mu    sync.Mutex
	now   map[string]int
	peaks map[string]int
}

func (p *peakMeter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := inprocess.Kind(r)
	if r.Method == http.MethodGet && (kind == "manifest GET" || kind == "blob GET") {
		p.mu.Lock()
		p.now[kind]++
		p.peaks[kind] = max(p.peaks[kind], p.now[kind])
		p.mu.Unlock()
		time.Sleep(50 * time.Millisecond) // a registry some way off
		defer func() { p.mu.Lock(); p.now[kind]--; p.mu.Unlock() }()
	}
	p.next.ServeHTTP(w, r)
}

// TestCleanupReadsManyTagsAtOnce checks that cleanup, with --jobs left
// automatic, reads tags config.AutoReadJobs at a time, configs as well as
// manifests: go-containerregistry holds a puller's blob reads to its own
// job count, which once left the configs at 16 while the manifests went 64.
func TestCleanupReadsManyTagsAtOnce(t *testing.T) {
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
	for i := range 2 * config.AutoReadJobs {
		tags = append(tags, fmt.Sprintf("c%d", i))
	}
	repo := ln.Addr().String() + "/app"
	// Default labels name each tag: every tag is a manifest and a config of its own.
	if code, _, stderr := runArgs(t, nil, "publish", "--platform", "local", "--repo", repo, "--image",
		"=oci:"+filepath.Join(dir, "build", "backend"), "--tag-custom", strings.Join(tags, ",")); code != exitOK {
		t.Fatalf("publish: exit %d: %s", code, stderr)
	}
	meter.mu.Lock()
	clear(meter.peaks)
	meter.mu.Unlock()
	if code, _, stderr := runArgs(t, nil, "cleanup", "--dry-run", "--platform", "local", "--repo", repo, "--git-dir", dir); code != exitOK {
		t.Fatalf("cleanup: exit %d: %s", code, stderr)
	}
	meter.mu.Lock()
	defer meter.mu.Unlock()
	for _, kind := range []string{"manifest GET", "blob GET"} {
		if got := meter.peaks[kind]; got <= config.AutoJobs || got > config.AutoReadJobs {
			t.Errorf("cleanup held %d %ss at once; want more than --jobs' %d for uploads, at most %d", got, kind, config.AutoJobs, config.AutoReadJobs)
		}
	}
}
