package gemmconv

// #include <gemmconv.h>
import "C"

import (
	"math"
	"math/bits"
)

// Layout is the layout of the activations, input and output alike.
type Layout uint32

const (
	NCHW Layout = C.GEMMCONV_LAYOUT_NCHW // [N][C][H][W], channels-first
	NHWC Layout = C.GEMMCONV_LAYOUT_NHWC // [N][H][W][C], channels-last
)

// FilterLayout is the layout of the filter; C/G is the input channels of one group.
type FilterLayout uint32

const (
	OIHW FilterLayout = C.GEMMCONV_FILTER_OIHW // [M][C/G][KH][KW], as in PyTorch and ONNX
	OHWI FilterLayout = C.GEMMCONV_FILTER_OHWI // [M][KH][KW][C/G], as in TensorFlow Lite
)

// ConvDesc describes one 2-D convolution (gemmconv_conv_desc). Its zero value is NCHW/OIHW, and a
// zero Batch, Groups, stride or dilation means 1, so a literal names only what differs:
//
//	ConvDesc{InChannels: 3, OutChannels: 16, InHeight: 32, InWidth: 32,
//		KernelHeight: 3, KernelWidth: 3, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1}
type ConvDesc struct {
	Layout                        Layout
	FilterLayout                  FilterLayout
	Batch                         uint32 // N; 0 means 1
	Groups                        uint32 // G; 0 means 1; InChannels and OutChannels are multiples
	InChannels                    uint32 // C, all groups together
	OutChannels                   uint32 // M, all groups together
	InHeight, InWidth             uint32
	KernelHeight, KernelWidth     uint32
	StrideHeight, StrideWidth     uint32 // 0 means 1
	DilationHeight, DilationWidth uint32 // 0 means 1 (a dense kernel)
	PadTop, PadBottom             uint32 // implicit zero padding
	PadLeft, PadRight             uint32
}

func orOne(v uint32) uint32 {
	if v == 0 {
		return 1
	}
	return v
}

// normalized returns d with the zero defaults made explicit.
func (d ConvDesc) normalized() ConvDesc {
	d.Batch, d.Groups = orOne(d.Batch), orOne(d.Groups)
	d.StrideHeight, d.StrideWidth = orOne(d.StrideHeight), orOne(d.StrideWidth)
	d.DilationHeight, d.DilationWidth = orOne(d.DilationHeight), orOne(d.DilationWidth)
	return d
}

// c returns the C descriptor, starting from gemmconv_conv_desc_init so struct_size is right.
func (d ConvDesc) c() C.gemmconv_conv_desc {
	d = d.normalized()
	var r C.gemmconv_conv_desc
	C.gemmconv_conv_desc_init(&r)
	r.layout = C.gemmconv_layout(d.Layout)
	r.filter_layout = C.gemmconv_filter_layout(d.FilterLayout)
	r.batch, r.groups = C.uint32_t(d.Batch), C.uint32_t(d.Groups)
	r.in_channels, r.out_channels = C.uint32_t(d.InChannels), C.uint32_t(d.OutChannels)
	r.in_height, r.in_width = C.uint32_t(d.InHeight), C.uint32_t(d.InWidth)
	r.kernel_height, r.kernel_width = C.uint32_t(d.KernelHeight), C.uint32_t(d.KernelWidth)
	r.stride_height, r.stride_width = C.uint32_t(d.StrideHeight), C.uint32_t(d.StrideWidth)
	r.dilation_height = C.uint32_t(d.DilationHeight)
	r.dilation_width = C.uint32_t(d.DilationWidth)
	r.pad_top, r.pad_bottom = C.uint32_t(d.PadTop), C.uint32_t(d.PadBottom)
	r.pad_left, r.pad_right = C.uint32_t(d.PadLeft), C.uint32_t(d.PadRight)
	return r
}

// OutputDims returns the output height and width as the library computes them, or
// StatusInvalidArgument for a descriptor without output.
func (d ConvDesc) OutputDims() (height, width int, err error) {
	r := d.c()
	var h, w C.uint32_t
	if err := check(C.gemmconv_output_dims(&r, &h, &w)); err != nil {
		return 0, 0, err
	}
	return int(h), int(w), nil
}

// InputLen is the number of floats in the input, N*C*H*W.
func (d ConvDesc) InputLen() (int, error) {
	d = d.normalized()
	return product(d.Batch, d.InChannels, d.InHeight, d.InWidth)
}

// OutputLen is the number of floats in the output, N*M*Ho*Wo.
func (d ConvDesc) OutputLen() (int, error) {
	h, w, err := d.OutputDims()
	if err != nil {
		return 0, err
	}
	d = d.normalized()
	return product(d.Batch, d.OutChannels, uint32(h), uint32(w))
}

// FilterLen is the number of floats in the filter, M*(C/G)*KH*KW.
func (d ConvDesc) FilterLen() (int, error) {
	d = d.normalized()
	if d.InChannels%d.Groups != 0 {
		return 0, invalid("%d input channels in %d groups", d.InChannels, d.Groups)
	}
	return product(d.OutChannels, d.InChannels/d.Groups, d.KernelHeight, d.KernelWidth)
}

// product multiplies, or returns StatusOverflow when the result does not fit an int.
func product(factors ...uint32) (int, error) {
	acc := uint64(1)
	for _, f := range factors {
		hi, lo := bits.Mul64(acc, uint64(f))
		if hi != 0 || lo > math.MaxInt {
			return 0, StatusOverflow
		}
		acc = lo
	}
	return int(acc), nil
}
