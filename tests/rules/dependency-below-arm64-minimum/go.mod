module example.com/x

go 1.22

require (
	// ruleid: dependency-below-arm64-minimum
	github.com/golang/snappy v0.0.1
)
