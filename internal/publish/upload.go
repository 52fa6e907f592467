package publish

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/shiptag/shiptag/internal/requests"
)

// repoWriter puts blobs into one repository in the fewest requests the
// distribution spec allows: an upload is a POST that opens it and a PUT that
// carries the whole blob and commits it (go-containerregistry sends a POST,
// a PATCH with the data, then a PUT to commit: a round trip more for every
// blob, which nothing of its API lets a caller skip); a mount is the POST
// alone. Requests go through the run's transport, authenticated as
// go-containerregistry authenticates them (transport.NewWithContext, for
// push here and pull where blobs are mounted from).
type repoWriter struct {
	repo   name.Repository
	client *http.Client
}

// newRepoWriter authenticates for pushing to repo and pulling from the
// repositories blobs are mounted from.
func newRepoWriter(ctx context.Context, repo name.Repository, from []name.Repository, o Options) (*repoWriter, error) {
	auth := authn.Anonymous
	if o.Keychain != nil {
		var err error
		if auth, err = authn.Resolve(ctx, o.Keychain, repo); err != nil {
			return nil, fmt.Errorf("credentials for %s: %w", repo, err)
		}
	}
	scopes := []string{repo.Scope(transport.PushScope)}
	for _, f := range from {
		scopes = append(scopes, f.Scope(transport.PullScope))
	}
	base := o.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	tr, err := transport.NewWithContext(ctx, repo.Registry, auth, base, scopes)
	if err != nil {
		return nil, err
	}
	return &repoWriter{repo: repo, client: &http.Client{Transport: tr, CheckRedirect: sameHostOrPublic}}, nil
}

// upload sends the blob whole, or mounts it from from (when not empty)
// where the registry allows. A registry that declines the mount is asked
// whether it has the blob before its bytes go (some keep one store for all
// repositories and never mount). It is retried whole by the upload
// schedule, asking first whether an earlier try got through. session, if
// not empty, is an upload opened already, for the first try.
func (w *repoWriter) upload(ctx context.Context, l v1.Layer, d v1.Hash, size int64, from, session string) error {
	tries := 0
	return requests.Again(ctx, requests.UploadBackoff, func() error {
		if tries++; tries > 1 {
			if has, err := w.has(ctx, d); err != nil || has {
				return err
			}
		}
		if tries == 1 && session != "" {
			err := w.put(ctx, session, l, d, size)
			if err == nil || requests.Retryable(err) {
				return err
			}
			// Refused outright: the upload opened early may have expired
			// while others were sent; open a fresh one.
		}
		location, err := w.open(ctx, d.String(), from)
		if err != nil || location == "" {
			return err
		}
		if from != "" {
			if has, err := w.has(ctx, d); err != nil || has {
				w.cancel(ctx, location)
				return err
			}
		}
		return w.put(ctx, location, l, d, size)
	})
}

// cancel ends an upload that is not needed; a registry that does not take
// the cancel lets it expire.
func (w *repoWriter) cancel(ctx context.Context, location string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, location, nil)
	if err != nil {
		return
	}
	if resp, err := w.client.Do(req); err == nil {
		resp.Body.Close()
	}
}

// has asks whether the repository holds the blob.
func (w *repoWriter) has(ctx context.Context, d v1.Hash) (bool, error) {
	u := w.url("/blobs/" + d.String())
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u.String(), nil)
	if err != nil {
		return false, err
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusOK, http.StatusNotFound); err != nil {
		return false, err
	}
	return resp.StatusCode == http.StatusOK, nil
}

// open starts an upload, mounting the blob from from when given: "" when
// the mount took, else the upload's location. A registry that refuses a
// mount request outright (some do, for some sources) is asked for a plain
// upload, as go-containerregistry does.
func (w *repoWriter) open(ctx context.Context, d, from string) (string, error) {
	u := w.url("/blobs/uploads/")
	if from != "" {
		u.RawQuery = url.Values{"mount": {d}, "from": {from}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return "", err
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusCreated, http.StatusAccepted); err != nil {
		if from != "" && !requests.Retryable(err) {
			return w.open(ctx, d, "")
		}
		return "", err
	}
	if resp.StatusCode == http.StatusCreated {
		return "", nil
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.Header.Get("Location") == "" {
		return "", fmt.Errorf("starting an upload to %s: the registry gave no usable Location (%q)", w.repo, resp.Header.Get("Location"))
	}
	return resp.Request.URL.ResolveReference(loc).String(), nil
}

// put sends the blob's bytes to the upload at location and commits it.
func (w *repoWriter) put(ctx context.Context, location string, l v1.Layer, d v1.Hash, size int64) error {
	u, err := url.Parse(location)
	if err != nil {
		return err
	}
	if err := publicOrHome(ctx, net.DefaultResolver.LookupNetIP, (&url.URL{Host: w.repo.RegistryStr()}).Hostname(), u.Hostname()); err != nil {
		return err
	}
	q := u.Query()
	q.Set("digest", d.String())
	u.RawQuery = q.Encode()
	body, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("reading blob %s: %w", d, err)
	}
	defer body.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), body)
	if err != nil {
		return err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return transport.CheckError(resp, http.StatusCreated)
}

func (w *repoWriter) url(path string) url.URL {
	return url.URL{Scheme: w.repo.Scheme(), Host: w.repo.RegistryStr(), Path: "/v2/" + w.repo.RepositoryStr() + path}
}
