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
	KeyCreated        = "org.opencontainers.image.created"
)
