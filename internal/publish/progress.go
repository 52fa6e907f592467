package publish

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shiptag/shiptag/internal/plan"
)

// Progress reports the bytes sent per image: a live table redrawn in place
// on a terminal, or a plain line at most every Interval in CI logs.
type Progress struct {
	w        io.Writer
	live     bool
	interval time.Duration

	mu     sync.Mutex
	order  []string
	total  map[string]int64
	sent   map[string]int64
	lines  int // lines drawn last time (live)
	last   time.Time
	closed bool
}

// NewProgress reports to w; live redraws in place (for terminals). The first
// report comes after one interval, so quick runs print only the summary.
func NewProgress(w io.Writer, live bool, interval time.Duration) *Progress {
	return &Progress{w: w, live: live, interval: interval, total: map[string]int64{}, sent: map[string]int64{}, last: time.Now()}
}

func (p *Progress) expect(image string, size int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.total[image]; !ok {
		p.order = append(p.order, image)
	}
	p.total[image] += size
}

// count wraps l so that reading its bytes reports them under image. A layer
// that can be mounted from the registry it came from stays as it is, so that
// the push mounts it instead of downloading and sending it again.
func (p *Progress) count(image string, l v1.Layer) v1.Layer {
	if _, mountable := l.(*remote.MountableLayer); p == nil || mountable {
		return l
	}
	return &countingLayer{Layer: l, add: func(n int) { p.add(image, int64(n)) }}
}

func (p *Progress) add(image string, n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent[image] += n
	if now := time.Now(); now.Sub(p.last) >= p.interval && !p.closed {
		p.last = now
		p.draw()
	}
}

// Done prints the summary once: what was uploaded, of what was needed.
func (p *Progress) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	if len(p.order) == 0 {
		fmt.Fprintln(p.w, "shiptag: every reference already points at its image: nothing to upload")
		return
	}
	var sent, total int64
	for _, img := range p.order {
		sent += min(p.sent[img], p.total[img])
		total += p.total[img]
	}
	rest := ""
	if sent < total {
		rest = "; the rest was already in the registry or mounted from another repository"
	}
	fmt.Fprintf(p.w, "shiptag: uploaded %s of the %s these images hold%s\n", mb(sent), mb(total), rest)
}

func (p *Progress) draw() {
	var parts []string
	for _, img := range p.order {
		sent := min(p.sent[img], p.total[img]) // a retried blob is read again
		parts = append(parts, fmt.Sprintf("%s %s/%s", plan.Label(img), mb(sent), mb(p.total[img])))
	}
	if !p.live {
		fmt.Fprintf(p.w, "shiptag: uploading %s\n", strings.Join(parts, ", "))
		return
	}
	if p.lines > 0 {
		fmt.Fprintf(p.w, "\x1b[%dA", p.lines)
	}
	for _, part := range parts {
		fmt.Fprintf(p.w, "\x1b[2K  %s\n", part)
	}
	p.lines = len(parts)
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// countingLayer reports the compressed bytes read from it, which is what an
// upload sends.
type countingLayer struct {
	v1.Layer
	add func(int)
}

// Compressed returns the layer's bytes, counting them as they are read.
func (c *countingLayer) Compressed() (io.ReadCloser, error) {
	rc, err := c.Layer.Compressed()
	if err != nil {
		return nil, err
	}
	return &countingReader{ReadCloser: rc, add: c.add}, nil
}

type countingReader struct {
	io.ReadCloser
	add func(int)
}

// Read reads and reports how much it read.
func (r *countingReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	r.add(n)
	return n, err
}
