// Package registrytest runs the real registry of the tests (Debian's
// docker-registry, with TLS and htpasswd) as a process, and the proxy that
// counts and fails requests in front of it. It starts processes, so only
// tests and the benchmarks import it, never the shipped binary.
package registrytest

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/shiptag/shiptag/internal/inprocess"
)

// Server is Debian's docker-registry running on 127.0.0.1 with TLS (a
// self-signed CA) and htpasswd basic auth (none at all under StartOpen),
// started by scripts/test-registry.
type Server struct {
	Host     string // 127.0.0.1:PORT
	CAFile   string // the CA that signed its certificate
	User     string
	Password string
	// Cloud holds the logins whose user name a cloud's credentials fix
	// (Google's "_token"), user → password.
	Cloud   map[string]string
	logFile string
	cmd     *exec.Cmd
}

// GoogleUser is the user name of go-containerregistry's Google logins.
const GoogleUser = "_token"

// Missing says why the real registry cannot run here, or "" if it can.
func Missing() string {
	for _, tool := range []string{"docker-registry", "htpasswd", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			return tool + " is not installed (apt-get install docker-registry apache2-utils openssl; .ci/run does)"
		}
	}
	return ""
}

// Start runs the registry with its files in dir, using the script at
// scriptPath, and waits until it answers over TLS.
func Start(scriptPath, dir string) (*Server, error) {
	secret := make([]byte, 12)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	s := &Server{User: "shiptag", Password: hex.EncodeToString(secret),
		Cloud: map[string]string{GoogleUser: "google-" + hex.EncodeToString(secret[:6])}}
	if err := s.start(scriptPath, dir); err != nil {
		return nil, err
	}
	return s, nil
}

// StartOpen runs the registry as Start does, but open to anyone: no
// logins, so no password check per request. The benchmarks compare it with
// Start's to measure what that check costs; User and Password are empty.
func StartOpen(scriptPath, dir string) (*Server, error) {
	s := &Server{}
	if err := s.start(scriptPath, dir); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) start(scriptPath, dir string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.Host, s.CAFile, s.logFile = fmt.Sprintf("127.0.0.1:%d", port), filepath.Join(dir, "ca.pem"), filepath.Join(dir, "registry.log")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	log, err := os.Create(s.logFile)
	if err != nil {
		return err
	}
	args := []string{dir, fmt.Sprint(port)}
	if s.User != "" {
		args = append(args, s.User, s.Password)
	}
	for user, password := range s.Cloud {
		args = append(args, user, password)
	}
	s.cmd = exec.Command(scriptPath, args...)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("starting %s: %w", scriptPath, err)
	}
	log.Close()
	if err := s.waitReady(20 * time.Second); err != nil {
		s.Stop()
		out, _ := os.ReadFile(s.logFile)
		return fmt.Errorf("%w; its output:\n%s", err, out)
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Client returns an HTTP client that trusts the registry's CA.
func (s *Server) Client() (*http.Client, error) {
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", s.CAFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}

func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(s.CAFile); err == nil {
			if c, err := s.Client(); err == nil {
				if resp, err := c.Get("https://" + s.Host + "/v2/"); err == nil {
					resp.Body.Close()
					if resp.StatusCode == s.readyStatus() {
						return nil
					}
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the registry did not answer on %s within %s", s.Host, limit)
}

// readyStatus is how the registry answers GET /v2/ once it serves: 401
// asking for a login, or 200 when it is open.
func (s *Server) readyStatus() int {
	if s.User == "" {
		return http.StatusOK
	}
	return http.StatusUnauthorized
}

// Stop ends the registry and everything its script started.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		_ = s.cmd.Wait()
	}
}

// accessLine is one line of the registry's access log.
var accessLine = regexp.MustCompile(`"([A-Z]+) (\S+) HTTP/[0-9.]+" ([0-9]{3}) `)

// LogOffset is the current end of the access log, to count from.
func (s *Server) LogOffset() (int64, error) {
	st, err := os.Stat(s.logFile)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// CountSince counts the successful requests in the access log after offset
// to repositories under prefix ("" for all), since tests share the registry.
func (s *Server) CountSince(offset int64, prefix string) (inprocess.Snapshot, error) {
	f, err := os.Open(s.logFile)
	if err != nil {
		return inprocess.Snapshot{}, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, 0); err != nil {
		return inprocess.Snapshot{}, err
	}
	c := inprocess.NewCounter()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		m := accessLine.FindStringSubmatch(sc.Text())
		if m == nil || !strings.HasPrefix(m[3], "2") {
			continue
		}
		u, err := url.ParseRequestURI(m[2])
		if err != nil || !underPrefix(u.Path, "/v2/"+prefix) {
			continue
		}
		c.Count(&http.Request{Method: m[1], URL: u})
	}
	return c.Snapshot(), sc.Err()
}

// underPrefix reports whether path is prefix itself or lies below it, so
// that "st" counts /v2/st/... but not another script's /v2/stdin/....
func underPrefix(path, prefix string) bool {
	rest, ok := strings.CutPrefix(path, prefix)
	return ok && (rest == "" || strings.HasPrefix(rest, "/") || strings.HasSuffix(prefix, "/"))
}
