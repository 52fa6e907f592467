module github.com/shiptag/shiptag

go 1.26.8

require (
	github.com/caarlos0/env/v10 v10.0.0
	github.com/google/go-cmp v0.7.0
	github.com/google/go-containerregistry v0.22.1
	github.com/gosimple/slug v1.15.0
	github.com/sethvargo/go-githubactions v1.3.2
	github.com/spaolacci/murmur3 v1.1.0
)

require (
	github.com/gosimple/unidecode v1.0.1 // indirect
	github.com/opencontainers/go-digest v1.0.0 // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/tools v0.49.0 // indirect
)
