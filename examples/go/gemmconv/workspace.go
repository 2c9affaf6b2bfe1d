package gemmconv

import "unsafe"

// NewWorkspace returns n bytes whose first byte is WorkspaceAlignment-aligned, as Execute needs
// (nil for n <= 0). It over-allocates by up to 63 bytes and slices at the aligned offset; Go's
// garbage collector never moves heap objects, so the alignment holds for the slice's lifetime.
// Give each goroutine that executes at the same time its own workspace.
func NewWorkspace(n int) []byte {
	if n <= 0 {
		return nil
	}
	buf := make([]byte, n+WorkspaceAlignment-1)
	offset := int(-uintptr(unsafe.Pointer(&buf[0])) & (WorkspaceAlignment - 1))
	return buf[offset : offset+n : offset+n]
}
