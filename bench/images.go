package main

import (
	"fmt"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/shiptag/shiptag/internal/sample"
	"github.com/shiptag/shiptag/internal/source"
)

// images are the seeded OCI layouts every tool publishes, by name.
type images struct {
	layouts   map[string]string          // name → layout directory
	artifacts map[string]source.Artifact // name → the image, for the limits
}

// writeImages writes the scenarios' images: the seed's backend and frontend
// (five layers of layerBytes, three shared), a two-platform index, and five
// images for scale (the seed's three shared layers and two of their own).
func writeImages(dir string, layerBytes int) (*images, error) {
	im := &images{layouts: map[string]string{}, artifacts: map[string]source.Artifact{}}
	backend, frontend, err := sample.Seed(layerBytes)
	if err != nil {
		return nil, err
	}
	shared, err := backend.Layers()
	if err != nil {
		return nil, err
	}
	armLayer, err := sample.Layer(20, layerBytes)
	if err != nil {
		return nil, err
	}
	arm, err := sample.Image("linux/arm64", shared[0], armLayer)
	if err != nil {
		return nil, err
	}
	multi, err := sample.Index(backend, arm)
	if err != nil {
		return nil, err
	}
	im.artifacts["backend"], im.artifacts["frontend"], im.artifacts["multi"] = source.Artifact{Image: backend},
		source.Artifact{Image: frontend}, source.Artifact{Index: multi}
	for i := 0; i < 5; i++ {
		img, err := scaleImage(shared[:3], i, layerBytes)
		if err != nil {
			return nil, err
		}
		im.artifacts[fmt.Sprintf("svc%d", i)] = source.Artifact{Image: img}
	}
	for name, a := range im.artifacts {
		im.layouts[name] = filepath.Join(dir, name)
		if err := sample.WriteLayout(im.layouts[name], a); err != nil {
			return nil, err
		}
	}
	return im, nil
}

func scaleImage(shared []v1.Layer, i, layerBytes int) (v1.Image, error) {
	layers := append([]v1.Layer{}, shared...)
	for k := 0; k < 2; k++ {
		l, err := sample.Layer(uint64(100+2*i+k), layerBytes)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	return sample.Image("linux/amd64", layers...)
}
