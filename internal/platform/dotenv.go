package platform

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/shiptag/shiptag/internal/inputs"
	"github.com/shiptag/shiptag/internal/output"
)

// GitLab caps a dotenv report at 5 KB and 20 variables:
// https://docs.gitlab.com/ee/ci/yaml/artifacts_reports.html#artifactsreportsdotenv
const (
	dotenvMaxBytes     = 5 * 1024
	dotenvMaxVariables = 20
)

// JSONFileName is the file next to the dotenv report that holds the whole
// document when its lists do not fit in the report.
const JSONFileName = "shiptag.json"

// dotenvReport is a dotenv report at path: GitLab's by default, and
// wherever --dotenv-file points on any platform. An empty path writes none.
type dotenvReport struct {
	path string
	// withJSON writes the document to shiptag.json beside the report on
	// every run, not only when the report overflows: GitLab's component
	// declares the file an artifact, which must then always exist.
	withJSON bool
}

// check fails if the report cannot be written, leaving its content alone.
func (r dotenvReport) check() error {
	if r.path == "" {
		return nil
	}
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return dotenvError(r.path, err)
	}
	return f.Close()
}

// write writes o's report variables, one KEY=value per line. When they
// would not fit GitLab's limit, the whole document goes to shiptag.json
// beside the report instead, the report holds only SHIPTAG_JSON_FILE, and
// a note on log says so; withJSON writes shiptag.json after a report that
// fits too.
func (r dotenvReport) write(o output.Outputs, log io.Writer) error {
	if r.path == "" {
		return nil
	}
	var b strings.Builder
	for _, v := range o.Report {
		fmt.Fprintf(&b, "%s=%s\n", v.Name, v.Value)
	}
	report := b.String()
	overflow := len(report) > dotenvMaxBytes || len(o.Report) > dotenvMaxVariables
	jsonPath := filepath.Join(filepath.Dir(r.path), JSONFileName)
	writeJSON := func() error {
		if err := os.WriteFile(jsonPath, []byte(output.CompactJSON(o.Whole)+"\n"), 0o644); err != nil {
			return dotenvError(jsonPath, err)
		}
		return nil
	}
	if overflow {
		if err := writeJSON(); err != nil {
			return err
		}
		report = "SHIPTAG_JSON_FILE=" + jsonPath + "\n"
		limit := fmt.Sprintf("%d-byte", dotenvMaxBytes)
		if len(o.Report) > dotenvMaxVariables {
			limit = fmt.Sprintf("%d-variable", dotenvMaxVariables)
		}
		fmt.Fprintf(log, "shiptag: %s do not fit GitLab's %s dotenv limit: wrote them to %s "+
			"(SHIPTAG_JSON_FILE); add it to the job's artifacts:paths\n", o.Lists, limit, jsonPath)
	}
	if err := os.WriteFile(r.path, []byte(report), 0o644); err != nil {
		return dotenvError(r.path, err)
	}
	if r.withJSON && !overflow {
		return writeJSON()
	}
	return nil
}

func dotenvError(path string, err error) error {
	return inputs.Errorf("dotenv-file", "%q cannot be written: %w; point --dotenv-file at a writable path in the project directory", path, err)
}
