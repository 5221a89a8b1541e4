//go:build amd64 || arm64

package matcher

// prefetch asks the CPU to start loading the cache line at addr and returns
// at once: a match names the exact set it will read after the wildcard walk,
// so the walk runs while the line travels. It never faults, whatever addr.
//
//go:noescape
func prefetch(addr uintptr)
