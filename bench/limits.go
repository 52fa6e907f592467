package main

import "github.com/shiptag/shiptag/internal/publish"

// limits is the least any tool must do: send each distinct blob once, and
// write one manifest per reference (plus each platform manifest of an index).
func limits(im *images, sc scenario) (int64, int, error) {
	switch {
	case sc.rerun:
		return 0, 0, nil
	case sc.retag:
		return 0, sc.tags, nil
	}
	seen := map[string]bool{}
	var total int64
	manifests := 0
	for _, n := range sc.images {
		a := im.artifacts[n]
		blobs, err := publish.ArtifactBlobs(a)
		if err != nil {
			return 0, 0, err
		}
		for _, b := range blobs {
			d, _ := b.Digest()
			size, _ := b.Size()
			if !seen[d.String()] {
				seen[d.String()], total = true, total+size
			}
		}
		manifests += sc.tags
		if a.Index != nil {
			m, err := a.Index.IndexManifest()
			if err != nil {
				return 0, 0, err
			}
			manifests += len(m.Manifests)
		}
	}
	return total, manifests, nil
}

// largestBlob is the biggest blob the scenario must send, which one
// connection carries alone.
func largestBlob(im *images, sc scenario) (int64, error) {
	var largest int64
	for _, n := range sc.images {
		blobs, err := publish.ArtifactBlobs(im.artifacts[n])
		if err != nil {
			return 0, err
		}
		for _, b := range blobs {
			size, _ := b.Size()
			largest = max(largest, size)
		}
	}
	return largest, nil
}
