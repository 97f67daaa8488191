module example.com/x

// ruleid: runtime-below-arm64-minimum
go 1.15
