package client

import "testing"

// FuzzPropertyOrder: the property-order scan never panics or reads past
// its block, whatever the bytes.
func FuzzPropertyOrder(f *testing.F) {
	f.Add([]byte{0x01, 0x01, 0x26, 0, 1, 'k', 0, 1, 'v', 0x0B, 0x07})
	f.Add([]byte{0x0B, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0x26, 0, 5})
	f.Fuzz(func(t *testing.T, block []byte) {
		ids := propertyOrder(block)
		if len(ids) > len(block) {
			t.Fatalf("%d ids from %d bytes", len(ids), len(block))
		}
	})
}
