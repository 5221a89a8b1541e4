//go:build !amd64 && !arm64

package matcher

// prefetch is a hint that this architecture goes without.
func prefetch(addr uintptr) {}
