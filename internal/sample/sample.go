// Package sample makes container images whose content depends only on a
// seed, for the demo, the tests and the benchmarks: the same seed gives the
// same bytes and digests on every machine, so runs can be compared and
// shared layers are truly shared.
package sample

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/shiptag/shiptag/internal/source"
)

// Created is the creation time of every sample image.
var Created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Layer returns a gzip layer holding one file of size pseudo-random
// (incompressible) bytes drawn from seed.
func Layer(seed uint64, size int) (v1.Layer, error) {
	data := make([]byte, size)
	r := rand.New(rand.NewPCG(seed, 0x5e1f))
	for i := 0; i+8 <= size; i += 8 {
		v := r.Uint64()
		for k := 0; k < 8; k++ {
			data[i+k] = byte(v >> (8 * k))
		}
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{Name: fmt.Sprintf("layer-%d.bin", seed), Mode: 0o644, Size: int64(size), ModTime: Created, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(data); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	tarBytes := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(tarBytes)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// Image returns an OCI image of layers for platform ("linux/amd64"), with a
// fixed config.
func Image(platform string, layers ...v1.Layer) (v1.Image, error) {
	p, err := v1.ParsePlatform(platform)
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.AppendLayers(img, layers...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Created = v1.Time{Time: Created}
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Config.Labels = map[string]string{"org.example.sample": "true"}
	return mutate.ConfigFile(img, cf)
}

// Index returns an OCI index of images, one per platform as each image's
// config says.
func Index(images ...v1.Image) (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var adds []mutate.IndexAddendum
	for _, img := range images {
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, err
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}}})
	}
	return mutate.AppendManifests(idx, adds...), nil
}

// WriteLayout writes a as the only entry of a new OCI image layout in dir,
// as `docker buildx build --output type=oci,tar=false` does.
func WriteLayout(dir string, a source.Artifact) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if a.Index != nil {
		return p.AppendIndex(a.Index)
	}
	return p.AppendImage(a.Image)
}

// WriteArchive writes a layout directory as a tar file, the form of an
// oci-archive: source.
func WriteArchive(dir, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	err = tw.AddFS(os.DirFS(dir))
	if err == nil {
		err = tw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Seed returns the benchmark seed's two images (spec example 4's backend
// and frontend): five layers each of about layerSize bytes, the first three
// shared, for linux/amd64. A layer's content depends on its position only.
func Seed(layerSize int) (backend, frontend v1.Image, err error) {
	layers := make([]v1.Layer, 7)
	for i := range layers {
		if layers[i], err = Layer(uint64(i+1), layerSize+i*1000); err != nil {
			return nil, nil, err
		}
	}
	if backend, err = Image("linux/amd64", layers[0], layers[1], layers[2], layers[3], layers[4]); err != nil {
		return nil, nil, err
	}
	frontend, err = Image("linux/amd64", layers[0], layers[1], layers[2], layers[5], layers[6])
	return backend, frontend, err
}

// WriteDockerSave writes img to file as `docker save` does since Docker
// 25: each layer uncompressed in a file of its own, the config, and a
// manifest.json naming them under tag. harm, if set, changes the first
// layer's bytes (a corrupt archive, for tests).
func WriteDockerSave(img v1.Image, file, tag string, harm func([]byte)) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	err = writeDockerSave(tar.NewWriter(f), img, tag, harm)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeDockerSave(tw *tar.Writer, img v1.Image, tag string, harm func([]byte)) error {
	put := func(name string, r io.Reader, size int64) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg, ModTime: Created}); err != nil {
			return err
		}
		_, err := io.Copy(tw, r)
		return err
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return err
	}
	if err := put("blobs/sha256/"+cfgName.Hex, bytes.NewReader(cfg), int64(len(cfg))); err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	names := make([]string, len(layers))
	for i, l := range layers {
		if err := putLayer(put, l, i == 0, harm, &names[i]); err != nil {
			return err
		}
	}
	m, err := json.Marshal([]map[string]any{{"Config": "blobs/sha256/" + cfgName.Hex, "RepoTags": []string{tag}, "Layers": names}})
	if err != nil {
		return err
	}
	if err := put("manifest.json", bytes.NewReader(m), int64(len(m))); err != nil {
		return err
	}
	return tw.Close()
}

// putLayer writes a layer's uncompressed bytes under its diff_id, harmed
// first when first and harm is set (which needs it in memory).
func putLayer(put func(string, io.Reader, int64) error, l v1.Layer, first bool, harm func([]byte), name *string) error {
	d, err := l.DiffID()
	if err != nil {
		return err
	}
	*name = "blobs/sha256/" + d.Hex
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return err
	}
	if first && harm != nil {
		harm(data)
	}
	return put(*name, bytes.NewReader(data), int64(len(data)))
}
