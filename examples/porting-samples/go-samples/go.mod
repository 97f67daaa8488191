module example.com/go-samples

go 1.15

require (
	github.com/golang/snappy v0.0.1
	golang.org/x/sys v0.0.0-20200323222414-85ca7c5b95cd // indirect
)
