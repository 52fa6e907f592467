// Package inprocess is the registry the demo publishes into, served inside
// the process, and the Counter that says what a client asked of a registry
// (blob uploads by digest, mounts, manifest writes, requests by kind). It
// holds nothing that starts processes, so the shipped binary builds on
// every platform Go does; the real-registry helpers of the tests live in
// internal/registrytest.
package inprocess

import (
	"maps"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
)

var (
	uploadDone = regexp.MustCompile(`^/v2/(.+)/blobs/uploads/[^/]+$`)
	uploadInit = regexp.MustCompile(`^/v2/(.+)/blobs/uploads/$`)
	manifest   = regexp.MustCompile(`^/v2/(.+)/manifests/([^/]+)$`)
)

// Counter counts requests passing through Handler.
type Counter struct {
	mu        sync.Mutex
	uploads   map[string]int // blob digest → completed uploads (PUT …?digest=)
	mounts    int            // POST …/blobs/uploads/?mount=…
	manifests int            // PUT …/manifests/…
	requests  int
	kinds     map[string]int // Kind → requests
	bytes     int64          // blob bytes received in uploads (PATCH and PUT bodies)
}

// NewCounter returns an empty counter.
func NewCounter() *Counter { return &Counter{uploads: map[string]int{}, kinds: map[string]int{}} }

// Kind names what a registry request does, for request counts by kind.
func Kind(r *http.Request) string {
	p := r.URL.Path
	switch {
	case p == "/v2/" || p == "/v2":
		return "ping"
	case strings.Contains(p, "/manifests/"):
		return "manifest " + r.Method
	case uploadInit.MatchString(p) && r.Method == http.MethodPost && r.URL.Query().Get("mount") != "":
		return "blob mount"
	case uploadInit.MatchString(p) || uploadDone.MatchString(p):
		return "upload " + r.Method
	case strings.Contains(p, "/blobs/"):
		return "blob " + r.Method
	case strings.HasSuffix(p, "/tags/list"):
		return "tag list"
	}
	return "other"
}

// AddBytes records blob bytes the registry received in an upload.
func (c *Counter) AddBytes(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bytes += n
}

// Handler wraps next, counting each request it forwards.
func (c *Counter) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.Count(r)
		next.ServeHTTP(w, r)
	})
}

// Count records one request.
func (c *Counter) Count(r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	c.kinds[Kind(r)]++
	p := r.URL.Path
	switch {
	case r.Method == http.MethodPut && uploadDone.MatchString(p) && r.URL.Query().Get("digest") != "":
		c.uploads[r.URL.Query().Get("digest")]++
	case r.Method == http.MethodPost && uploadInit.MatchString(p) && r.URL.Query().Get("mount") != "":
		c.mounts++
	case r.Method == http.MethodPut && manifest.MatchString(p):
		c.manifests++
	}
}

// Snapshot is what a Counter saw.
type Snapshot struct {
	Uploads   map[string]int
	Mounts    int
	Manifests int
	Requests  int
	Kinds     map[string]int
	Bytes     int64 // blob bytes received in uploads
}

// Snapshot returns the counts so far.
func (c *Counter) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Snapshot{Uploads: maps.Clone(c.uploads), Mounts: c.mounts, Manifests: c.manifests, Requests: c.requests,
		Kinds: maps.Clone(c.kinds), Bytes: c.bytes}
	return s
}

// Reset forgets everything counted.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.uploads, c.mounts, c.manifests, c.requests = map[string]int{}, 0, 0, 0
	c.kinds, c.bytes = map[string]int{}, 0
}

// UploadedTwice lists the digests uploaded more than once, sorted.
func (s Snapshot) UploadedTwice() []string {
	var out []string
	for d, n := range s.Uploads {
		if n > 1 {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// BlobUploads is the number of completed blob uploads.
func (s Snapshot) BlobUploads() int {
	n := 0
	for _, v := range s.Uploads {
		n += v
	}
	return n
}
