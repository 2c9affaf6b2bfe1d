// Package gemmconv calls libgemmconv, DNN convolutions through GEMM with little extra memory,
// through cgo. The library is found with pkg-config (set PKG_CONFIG_PATH to <prefix>/lib/pkgconfig
// for a library installed in a prefix, and LD_LIBRARY_PATH to <prefix>/lib to run).
//
// Describe the convolution (ConvDesc), build a Plan once (the filter is copied and packed),
// allocate its workspace once (NewWorkspace, 64-byte aligned), then Execute as often as you like,
// from as many goroutines as you like, each with its own output and workspace. Close the plan when
// done; a finalizer frees a forgotten plan, but only as a backstop.
package gemmconv

/*
#cgo pkg-config: gemmconv
#include <gemmconv.h>
*/
import "C"

import (
	"errors"
	"fmt"
)

// Status is a failure status of the C library; it is the error type of this package, possibly
// wrapped with details (test with errors.Is(err, StatusInvalidArgument) or errors.As).
type Status uint32

// The statuses of gemmconv_status, SUCCESS excepted (a nil error).
const (
	StatusInvalidArgument   Status = C.GEMMCONV_STATUS_INVALID_ARGUMENT
	StatusUnsupported       Status = C.GEMMCONV_STATUS_UNSUPPORTED
	StatusOverflow          Status = C.GEMMCONV_STATUS_OVERFLOW
	StatusWorkspaceTooSmall Status = C.GEMMCONV_STATUS_WORKSPACE_TOO_SMALL
	StatusMisaligned        Status = C.GEMMCONV_STATUS_MISALIGNED
	StatusOutOfMemory       Status = C.GEMMCONV_STATUS_OUT_OF_MEMORY
	StatusOverBudget        Status = C.GEMMCONV_STATUS_OVER_BUDGET
	StatusInternal          Status = C.GEMMCONV_STATUS_INTERNAL
)

// Error returns the library's description of the status (gemmconv_status_string).
func (s Status) Error() string {
	return "gemmconv: " + C.GoString(C.gemmconv_status_string(C.gemmconv_status(s)))
}

// ErrClosed is returned by the methods of a Plan after Close.
var ErrClosed = errors.New("gemmconv: plan is closed")

// check turns a C status into nil or a Status error.
func check(s C.gemmconv_status) error {
	if s == C.GEMMCONV_STATUS_SUCCESS {
		return nil
	}
	return Status(s)
}

// invalid wraps StatusInvalidArgument with what was wrong.
func invalid(format string, args ...interface{}) error {
	return fmt.Errorf("%w: "+format, append([]interface{}{StatusInvalidArgument}, args...)...)
}

// Version is the linked library's version, "MAJOR.MINOR.PATCH".
func Version() string {
	return C.GoString(C.gemmconv_version_string())
}

// WorkspaceAlignment is the alignment, in bytes, that Execute requires of its workspace.
const WorkspaceAlignment = C.GEMMCONV_WORKSPACE_ALIGNMENT
