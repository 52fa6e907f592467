package publish

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
)

// warmRecorder is a transport that remembers what it was asked to dial.
type warmRecorder struct {
	http.RoundTripper
	dialled map[string]int
}

func (w *warmRecorder) Warm(host string, n int) { w.dialled[host] += n }

// TestWarmDialsForBlobData checks that connections for blob data are
// dialled only for blobs whose bytes may be sent: not for one mounted from
// where it was read, nor for one read from its home repository itself (a
// new tag in the source's own repository sends none).
func TestWarmDialsForBlobData(t *testing.T) {
	t.Parallel()
	home, _ := name.NewRepository("registry.example/app")
	other, _ := name.NewRepository("other.example/app")
	sent := blob{home: home}
	mounted := blob{home: home, source: "team/src"}
	present := blob{home: home, present: true}
	for _, tc := range []struct {
		name  string
		blobs []blob
		want  map[string]int
	}{
		{"uploads, at most jobs", []blob{sent, sent, sent, mounted}, map[string]int{"registry.example": 2}},
		{"per registry", []blob{sent, {home: other}}, map[string]int{"registry.example": 1, "other.example": 1}},
		{"mounted only", []blob{mounted, mounted}, map[string]int{}},
		{"read from home", []blob{present, present}, map[string]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &warmRecorder{dialled: map[string]int{}}
			warm(Options{Transport: rec, Jobs: 2}, tc.blobs)
			if diff := cmp.Diff(tc.want, rec.dialled); diff != "" {
				t.Errorf("dialled (-want +got):\n%s", diff)
			}
		})
	}
}
