package gemmconv

/*
#include <math.h>
#include <stdint.h>
#include <gemmconv.h>
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// Options says how to build a plan (gemmconv_plan_options). The zero value, like a nil *Options,
// is the library's default: AUTO, OpenMP's thread count, no workspace limit, no clamp.
type Options struct {
	Algo    Algo // AlgoAuto lets the library choose
	Threads int  // 0: the OpenMP default when the plan is created
	Measure bool // AUTO: time the candidates while creating the plan
	// With LimitWorkspace, AUTO considers only algorithms whose workspace is at most
	// WorkspaceLimit bytes, and a named algorithm over it gives StatusOverBudget.
	LimitWorkspace bool
	WorkspaceLimit int
	// With Clamp, every output is clamped to [OutputMin, OutputMax].
	Clamp                bool
	OutputMin, OutputMax float32
}

// c returns the C options, starting from gemmconv_plan_options_init.
func (o *Options) c() (C.gemmconv_plan_options, error) {
	var r C.gemmconv_plan_options
	C.gemmconv_plan_options_init(&r)
	if o == nil {
		return r, nil
	}
	if o.Threads < 0 || uint64(o.Threads) > C.UINT32_MAX {
		return r, invalid("%d threads", o.Threads)
	}
	r.algo = C.gemmconv_algo(o.Algo)
	r.num_threads = C.uint32_t(o.Threads)
	if o.Measure {
		r.flags |= C.GEMMCONV_FLAG_MEASURE
	}
	if o.LimitWorkspace {
		if o.WorkspaceLimit < 0 {
			return r, invalid("workspace limit %d", o.WorkspaceLimit)
		}
		r.workspace_limit = C.size_t(o.WorkspaceLimit)
	}
	if o.Clamp {
		r.output_min, r.output_max = C.float(o.OutputMin), C.float(o.OutputMax)
	}
	return r, nil
}

// Plan is one convolution with its chosen algorithm and packed filter. Its methods are safe for
// concurrent use; Execute runs in parallel on one plan. Close waits for running calls.
type Plan struct {
	mu     sync.RWMutex // read-held by every call into C, write-held by Close
	handle *C.gemmconv_plan
	desc   ConvDesc
	inLen  int
	outLen int
	wsLen  int
	algo   Algo
}

// NewPlan validates desc, picks the algorithm and copies filter (exactly desc.FilterLen() floats,
// in desc.FilterLayout) and bias (nil, or exactly OutChannels floats) into a new plan. opts may be
// nil for the defaults.
func NewPlan(desc ConvDesc, filter, bias []float32, opts *Options) (*Plan, error) {
	desc = desc.normalized()
	outLen, err := desc.OutputLen()
	if err != nil {
		return nil, err
	}
	inLen, err := desc.InputLen()
	if err != nil {
		return nil, err
	}
	filterLen, err := desc.FilterLen()
	if err != nil {
		return nil, err
	}
	// C reads as many floats as the descriptor says, whatever the slices hold: check first.
	if len(filter) != filterLen || filterLen == 0 {
		return nil, invalid("filter has %d floats, the descriptor needs %d", len(filter), filterLen)
	}
	var biasPtr *C.float
	if bias != nil {
		if len(bias) != int(desc.OutChannels) || len(bias) == 0 {
			return nil, invalid("bias has %d floats, want %d", len(bias), desc.OutChannels)
		}
		biasPtr = (*C.float)(unsafe.Pointer(&bias[0]))
	}
	options, err := opts.c()
	if err != nil {
		return nil, err
	}
	cdesc := desc.c()
	var handle *C.gemmconv_plan
	status := C.gemmconv_plan_create(&cdesc, (*C.float)(unsafe.Pointer(&filter[0])), biasPtr,
		&options, &handle)
	if err := check(status); err != nil {
		return nil, err
	}
	p := &Plan{handle: handle, desc: desc, inLen: inLen, outLen: outLen}
	runtime.SetFinalizer(p, (*Plan).Close) // a backstop for a forgotten Close
	var bytes C.size_t
	var algo C.gemmconv_algo
	err = check(C.gemmconv_plan_workspace_size(handle, &bytes))
	if err == nil {
		err = check(C.gemmconv_plan_algo(handle, &algo))
	}
	if err != nil {
		p.Close()
		return nil, err
	}
	p.wsLen, p.algo = int(bytes), Algo(algo)
	return p, nil
}

// Close frees the plan. It is idempotent and always returns nil; the plan's other methods then
// return ErrClosed.
func (p *Plan) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.handle != nil {
		C.gemmconv_plan_destroy(p.handle)
		p.handle = nil
		runtime.SetFinalizer(p, nil)
	}
	return nil
}

// WorkspaceSize returns the exact number of workspace bytes Execute needs (0 is valid).
func (p *Plan) WorkspaceSize() (int, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.handle == nil {
		return 0, ErrClosed
	}
	return p.wsLen, nil
}

// PersistentSize returns the bytes the plan itself holds: packed filter, bias and tables.
func (p *Plan) PersistentSize() (int, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.handle == nil {
		return 0, ErrClosed
	}
	var bytes C.size_t
	if err := check(C.gemmconv_plan_persistent_size(p.handle, &bytes)); err != nil {
		return 0, err
	}
	return int(bytes), nil
}

// Algo returns the algorithm the plan runs (never AlgoAuto).
func (p *Plan) Algo() Algo { return p.algo }

// Desc returns the plan's descriptor, defaults made explicit.
func (p *Plan) Desc() ConvDesc { return p.desc }

// InputLen is the number of floats Execute reads from in.
func (p *Plan) InputLen() int { return p.inLen }

// OutputLen is the number of floats Execute writes to out.
func (p *Plan) OutputLen() int { return p.outLen }

// Execute computes out from in (exactly InputLen and OutputLen floats, in the descriptor's
// layout), overwriting all of out. ws must hold at least WorkspaceSize bytes, aligned to
// WorkspaceAlignment (NewWorkspace gives such a slice); it may be nil when the size is 0.
// Goroutines may execute one plan at once, each with its own out and ws.
func (p *Plan) Execute(in, out []float32, ws []byte) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.handle == nil {
		return ErrClosed
	}
	if len(in) != p.inLen {
		return invalid("input has %d floats, the plan reads %d", len(in), p.inLen)
	}
	if len(out) != p.outLen {
		return invalid("output has %d floats, the plan writes %d", len(out), p.outLen)
	}
	// C says INVALID_ARGUMENT for a nil workspace when one is needed; to Go callers any workspace
	// below the size is the same mistake.
	if len(ws) < p.wsLen {
		return StatusWorkspaceTooSmall
	}
	var wsPtr unsafe.Pointer
	if len(ws) > 0 {
		wsPtr = unsafe.Pointer(&ws[0])
	}
	return check(C.gemmconv_execute(p.handle, (*C.float)(unsafe.Pointer(&in[0])),
		(*C.float)(unsafe.Pointer(&out[0])), wsPtr, C.size_t(len(ws))))
}
