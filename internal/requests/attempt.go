package requests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// attempt sends req once, watched: the watch cancels it when the server
// stays silent for the timeout, the run's end cancels it at once.
func (t *Transport) attempt(req *http.Request) (*http.Response, error) {
	if err := t.run.Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Host, context.Cause(t.run))
	}
	host := req.URL.Host
	t.expect(host)
	ctx, cancel := context.WithCancelCause(req.Context())
	stopRun := context.AfterFunc(t.run, func() { cancel(context.Cause(t.run)) })
	done := sync.OnceFunc(func() { stopRun(); cancel(nil) })
	w := newWatch(t.opts.Timeout, func() { cancel(t.stall(req)) }, func() { t.alive(host) })
	out, err := t.prepare(req, ctx, w)
	if err != nil {
		done()
		return nil, err
	}
	w.arm()
	resp, err := t.pick(out, host).RoundTrip(out)
	w.answered()
	if err != nil {
		err = causeOf(ctx, err)
		done()
		return nil, err
	}
	t.alive(host)
	resp.Body = &watchedBody{ReadCloser: resp.Body, ctx: ctx, watch: w, done: done}
	if resendable(req) {
		// A small answer (a manifest, a tag list, a config, a token) is read
		// here, so that a stall in its body is tried again like any other.
		if resp.Body, err = prefetch(resp.Body, prefetchLimit); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// prepare copies req onto ctx, with a fresh body where it can be had (a
// retry sends it whole again) and the body watched: the server taking no
// byte of it for the timeout is a stall too.
func (t *Transport) prepare(req *http.Request, ctx context.Context, w *watch) (*http.Request, error) {
	out := req.Clone(ctx)
	if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("%s %s: rewinding the request body: %w", req.Method, req.URL.Host, err)
		}
		_ = req.Body.Close()
		out.Body = body
	}
	if out.Body != nil && out.Body != http.NoBody {
		out.Body = &sentBody{ReadCloser: out.Body, watch: w}
	}
	if out.Header.Get("User-Agent") == "" && t.opts.UserAgent != "" {
		out.Header.Set("User-Agent", t.opts.UserAgent)
	}
	return out, nil
}

// causeOf replaces a cancellation by its cause: the stall, or the signal
// that ended the run.
func causeOf(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, err) {
		var stall *StallError
		if errors.As(cause, &stall) {
			return stall
		}
		return fmt.Errorf("%w (%v)", cause, err)
	}
	return err
}

// prefetchLimit is the most of an answer's body prefetch holds in memory.
const prefetchLimit = 1 << 20

// prefetch reads up to limit bytes of body: a body that ends within them is
// returned in memory and closed; a longer one streams on after them.
func prefetch(body io.ReadCloser, limit int64) (io.ReadCloser, error) {
	head, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		body.Close()
		return nil, err
	}
	if int64(len(head)) <= limit {
		body.Close()
		return io.NopCloser(bytes.NewReader(head)), nil
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), body), body}, nil
}

// sentBody is a request body; each read the transport makes restarts the
// watch, so an upload that the server keeps taking is never a stall.
type sentBody struct {
	io.ReadCloser
	watch *watch
	sent  int64
}

// buffered is about what the kernel takes of a request body before the
// server reads any: past it, bytes sent are a sign of the server's life.
const buffered = 4 << 20

// Read reads and restarts the watch, until the answer has come.
func (b *sentBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.sent += int64(n)
	b.watch.progress(b.sent > buffered)
	return n, err
}

// watchedBody is an answer's body; the watch runs only while a read waits
// for the server, never while the reader does other work.
type watchedBody struct {
	io.ReadCloser
	ctx   context.Context
	watch *watch
	done  func()
}

// Read reads, failing with the stall or the run's end.
func (b *watchedBody) Read(p []byte) (int, error) {
	b.watch.arm()
	n, err := b.ReadCloser.Read(p)
	b.watch.disarm()
	if n > 0 {
		b.watch.heard()
	}
	switch {
	case err == io.EOF:
		b.done()
	case err != nil:
		err = causeOf(b.ctx, err)
	}
	return n, err
}

// Close closes the body and releases the request.
func (b *watchedBody) Close() error {
	err := b.ReadCloser.Close()
	b.watch.disarm()
	b.done()
	return err
}
