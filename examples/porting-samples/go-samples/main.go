package main

import (
	"fmt"

	"github.com/golang/snappy"
)

func main() {
	encoded := snappy.Encode(nil, []byte("hello graviton"))
	fmt.Println(len(encoded))
}
