package gemmconv_test

import (
	"fmt"

	"gemmconv"
)

// A 3x3 convolution of one 8x8 image, 2 -> 4 channels, padding 1, with a bias.
func Example() {
	desc := gemmconv.ConvDesc{InChannels: 2, OutChannels: 4, InHeight: 8, InWidth: 8,
		KernelHeight: 3, KernelWidth: 3, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1}
	filterLen, _ := desc.FilterLen() // [4][2][3][3], OIHW
	filter := make([]float32, filterLen)
	for i := range filter {
		filter[i] = 0.5
	}
	bias := []float32{1, 2, 3, 4}

	plan, err := gemmconv.NewPlan(desc, filter, bias, nil)
	if err != nil {
		panic(err)
	}
	defer plan.Close()
	size, _ := plan.WorkspaceSize()
	ws := gemmconv.NewWorkspace(size) // 64-byte aligned

	in := make([]float32, plan.InputLen()) // [1][2][8][8], NCHW
	for i := range in {
		in[i] = 1
	}
	out := make([]float32, plan.OutputLen()) // [1][4][8][8]
	if err := plan.Execute(in, out, ws); err != nil {
		panic(err)
	}
	// An interior pixel of channel 3 sees 2*3*3 taps of 0.5*1, plus its bias 4.
	fmt.Println(out[3*64+4*8+4])

	desc.InChannels = 0
	_, err = gemmconv.NewPlan(desc, filter, bias, nil)
	fmt.Println(err != nil)
	// Output:
	// 13
	// true
}
