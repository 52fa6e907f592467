package labels

// The label keys of spec §4 that other packages read or write: cleanup reads
// them back, stages mark their own images. One spelling for writer and
// reader.
const (
	KeyImage          = "werf-image"
	KeyImageName      = "werf-image-name"
	KeyImageTag       = "werf-image-tag"
	KeyTagStrategy    = "werf-tag-strategy"
	KeyStageSignature = "werf-stage-signature"
	// KeyDockerImageName is the full reference the labels were written for:
	// cleanup acts on a tag only when it names that very tag.
	KeyDockerImageName = "werf-docker-image-name"
	KeyCreated         = "org.opencontainers.image.created"
)
