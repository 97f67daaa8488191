package ported

func Sum(b []byte) uint32 { return sum(b) }
