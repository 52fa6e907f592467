package source

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// DefaultDockerHost is the Docker Engine's socket when DOCKER_HOST is unset.
const DefaultDockerHost = "unix:///var/run/docker.sock"

// openDaemon exports an image from the Docker Engine through its API
// (GET /images/{name}/get, what `docker save` uses) into a file under
// o.TempDir, and opens that archive. GitHub mounts the engine's socket into
// Docker container actions, so images built by earlier steps are reachable.
func openDaemon(ctx context.Context, image string, o Options) (Artifact, error) {
	client, base, err := dockerClient(o.DockerHost)
	if err != nil {
		return Artifact{}, err
	}
	if !strings.Contains(image[strings.LastIndex(image, "/")+1:], ":") && !strings.Contains(image, "@") {
		image += ":latest"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/images/"+escapePath(image)+"/get", nil)
	if err != nil {
		return Artifact{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return Artifact{}, fmt.Errorf("asking the Docker Engine at %s (DOCKER_HOST): %w", o.DockerHost, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return Artifact{}, fmt.Errorf("the Docker Engine answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	f, err := os.CreateTemp(o.TempDir, "docker-daemon-*.tar")
	if err != nil {
		return Artifact{}, err
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		return Artifact{}, fmt.Errorf("reading the image from the Docker Engine: %w", err)
	}
	if err := f.Close(); err != nil {
		return Artifact{}, err
	}
	img, err := tarball.ImageFromPath(f.Name(), nil)
	if err != nil {
		return Artifact{}, err
	}
	return Artifact{Image: img}, nil
}

// dockerClient returns an HTTP client and base URL for a DOCKER_HOST value:
// unix:///path or tcp://host:port (plain HTTP, as the Docker CLI without TLS).
func dockerClient(host string) (*http.Client, string, error) {
	if host == "" {
		host = DefaultDockerHost
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, "", fmt.Errorf("DOCKER_HOST %q: %w", host, err)
	}
	switch u.Scheme {
	case "unix":
		socket := u.Path
		tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		}}
		return &http.Client{Transport: tr}, "http://docker", nil
	case "tcp", "http":
		return &http.Client{}, "http://" + u.Host, nil
	}
	return nil, "", fmt.Errorf("DOCKER_HOST %q: use unix:///path/to/docker.sock or tcp://host:port", host)
}

func escapePath(s string) string {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
