package output

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shiptag/shiptag/internal/cleanup"
)

// TestGitLabCleanupOverflow: a deletion list past GitLab's dotenv limit goes
// to shiptag.json, and the report points at it.
func TestGitLabCleanupOverflow(t *testing.T) {
	t.Parallel()
	var decisions []cleanup.Decision
	for i := range 100 {
		ref := fmt.Sprintf("registry.example.com/team/app:%040d", i)
		decisions = append(decisions, cleanup.Decision{Item: cleanup.Item{Ref: ref}, Delete: true, Deleted: true})
	}
	dir := t.TempDir()
	note, err := GitLabCleanup(filepath.Join(dir, "shiptag.env"), NewCleanupDocument(decisions, false))
	if err != nil {
		t.Fatal(err)
	}
	report, _ := os.ReadFile(filepath.Join(dir, "shiptag.env"))
	if want := "SHIPTAG_JSON_FILE=" + filepath.Join(dir, JSONFileName) + "\n"; string(report) != want || !strings.Contains(note, "dotenv limit") {
		t.Errorf("report %q, note %q", report, note)
	}
	doc, _ := os.ReadFile(filepath.Join(dir, JSONFileName))
	if strings.Count(string(doc), `"action":"deleted"`) != 100 {
		t.Errorf("shiptag.json does not hold the 100 deletions: %.200s", doc)
	}
}
