package output

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/shiptag/shiptag/internal/config"
)

// GitLab caps a dotenv report at 5 KB and 20 variables:
// https://docs.gitlab.com/ee/ci/yaml/artifacts_reports.html#artifactsreportsdotenv
const dotenvMaxBytes = 5 * 1024

// JSONFileName is the file next to the dotenv report that holds the whole
// Document when the lists do not fit in the report.
const JSONFileName = "shiptag.json"

// GitLab writes the dotenv report at path: SHIPTAG_REFS, SHIPTAG_TAGS and,
// once published, SHIPTAG_DIGESTS (one per reference, in the order of
// SHIPTAG_REFS), comma-separated, one KEY=value per line. When they would not fit GitLab's
// limit, the Document goes to shiptag.json beside it instead, the report holds
// only SHIPTAG_JSON_FILE, and note says so for the job log.
func GitLab(path string, d Document) (note string, err error) {
	report := fmt.Sprintf("SHIPTAG_REFS=%s\nSHIPTAG_TAGS=%s\n", strings.Join(d.Refs, ","), strings.Join(uniqueTags(d), ","))
	if digests := d.Digests(); digests != nil {
		report += "SHIPTAG_DIGESTS=" + strings.Join(digests, ",") + "\n"
	}
	if stages := d.StageRefs(); stages != nil {
		report += "SHIPTAG_STAGES=" + strings.Join(stages, ",") + "\n"
	}
	return writeDotenv(path, report, d, "the references")
}

// writeDotenv writes report at path; when it exceeds GitLab's limit, doc
// goes to shiptag.json beside it instead, the report holds only
// SHIPTAG_JSON_FILE, and note (naming what did not fit) says so for the log.
func writeDotenv(path, report string, doc any, what string) (note string, err error) {
	if len(report) > dotenvMaxBytes {
		jsonPath := filepath.Join(filepath.Dir(path), JSONFileName)
		if err := os.WriteFile(jsonPath, []byte(compactAny(doc)+"\n"), 0o644); err != nil {
			return "", dotenvError(jsonPath, err)
		}
		report = "SHIPTAG_JSON_FILE=" + jsonPath + "\n"
		note = fmt.Sprintf("%s do not fit GitLab's %d-byte dotenv limit: wrote them to %s "+
			"(SHIPTAG_JSON_FILE); add it to the job's artifacts:paths", what, dotenvMaxBytes, jsonPath)
	}
	if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
		return "", dotenvError(path, err)
	}
	return note, nil
}

// CheckGitLab fails if the dotenv report cannot be written at path, so that
// a run can stop before doing any work. It leaves the file's content alone.
func CheckGitLab(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return dotenvError(path, err)
	}
	return f.Close()
}

func dotenvError(path string, err error) error {
	return &config.InputError{Input: config.Input("dotenv-file"), Err: fmt.Errorf("%q cannot be written: %w; "+
		"point --dotenv-file at a writable path in the project directory", path, err)}
}
