module github.com/portlint/portlint

go 1.26

require (
	github.com/bmatcuk/doublestar/v4 v4.10.4
	go.yaml.in/yaml/v3 v3.0.6
)
