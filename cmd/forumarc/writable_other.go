//go:build !unix

package main

// fileWriteDenied is not checked ahead here: a file SQLite cannot write fails on the
// first write instead (see notWritable).
func fileWriteDenied(string) string { return "" }
