package gemmconv

import (
	"errors"
	"math"
	"sync"
	"testing"
)

// data returns n deterministic values in [-1, 1).
func data(n int, seed uint64) []float32 {
	state := seed*6364136223846793005 + 1442695040888963407
	out := make([]float32, n)
	for i := range out {
		state = state*6364136223846793005 + 1442695040888963407
		out[i] = float32(state>>40)/float32(1<<24)*2 - 1
	}
	return out
}

// reference computes the definition in float64: every output and the bound sum |filter*input|
// over its receptive field that the API's tolerance 1e-5*(1+bound) is relative to.
func reference(t *testing.T, d ConvDesc, x, f, bias []float32, clamp *[2]float32) (y, bound []float64) {
	d = d.normalized()
	ho, wo, err := d.OutputDims()
	if err != nil {
		t.Fatal(err)
	}
	n, c, h, w := int(d.Batch), int(d.InChannels), int(d.InHeight), int(d.InWidth)
	m, g, kh, kw := int(d.OutChannels), int(d.Groups), int(d.KernelHeight), int(d.KernelWidth)
	cg, mg := c/g, m/g
	xAt := func(in, ic, iy, ix int) float64 {
		if d.Layout == NCHW {
			return float64(x[((in*c+ic)*h+iy)*w+ix])
		}
		return float64(x[((in*h+iy)*w+ix)*c+ic])
	}
	fAt := func(om, ic, ky, kx int) float64 {
		if d.FilterLayout == OIHW {
			return float64(f[((om*cg+ic)*kh+ky)*kw+kx])
		}
		return float64(f[((om*kh+ky)*kw+kx)*cg+ic])
	}
	outIndex := func(in, om, oy, ox int) int {
		if d.Layout == NCHW {
			return ((in*m+om)*ho+oy)*wo + ox
		}
		return ((in*ho+oy)*wo+ox)*m + om
	}
	y = make([]float64, n*m*ho*wo)
	bound = make([]float64, len(y))
	for in := 0; in < n; in++ {
		for om := 0; om < m; om++ {
			group := om / mg
			for oy := 0; oy < ho; oy++ {
				for ox := 0; ox < wo; ox++ {
					acc, abs := 0.0, 0.0
					if bias != nil {
						acc = float64(bias[om])
					}
					for ic := 0; ic < cg; ic++ {
						for ky := 0; ky < kh; ky++ {
							for kx := 0; kx < kw; kx++ {
								iy := oy*int(d.StrideHeight) + ky*int(d.DilationHeight) - int(d.PadTop)
								ix := ox*int(d.StrideWidth) + kx*int(d.DilationWidth) - int(d.PadLeft)
								if iy < 0 || ix < 0 || iy >= h || ix >= w {
									continue
								}
								p := fAt(om, ic, ky, kx) * xAt(in, group*cg+ic, iy, ix)
								acc += p
								abs += math.Abs(p)
							}
						}
					}
					if clamp != nil {
						acc = math.Min(math.Max(acc, float64(clamp[0])), float64(clamp[1]))
					}
					y[outIndex(in, om, oy, ox)] = acc
					bound[outIndex(in, om, oy, ox)] = abs
				}
			}
		}
	}
	return y, bound
}

// mustLen(t)(d.FilterLen()) is the length, or the test stops.
func mustLen(t *testing.T) func(int, error) int {
	return func(n int, err error) int {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// checkEveryAlgorithm runs d through AUTO and every algorithm that supports it against the
// reference and returns the ones that ran.
func checkEveryAlgorithm(t *testing.T, d ConvDesc, withBias bool, clamp *[2]float32) []Algo {
	filter := data(mustLen(t)(d.FilterLen()), 1)
	input := data(mustLen(t)(d.InputLen()), 2)
	var bias []float32
	if withBias {
		bias = data(int(d.OutChannels), 3)
	}
	want, bound := reference(t, d, input, filter, bias, clamp)
	var ran []Algo
	for _, algo := range append([]Algo{AlgoAuto}, Algos()...) {
		opts := &Options{Algo: algo}
		if clamp != nil {
			opts.Clamp, opts.OutputMin, opts.OutputMax = true, clamp[0], clamp[1]
		}
		plan, err := NewPlan(d, filter, bias, opts)
		if errors.Is(err, StatusUnsupported) {
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", algo, err)
		}
		size, err := plan.WorkspaceSize()
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float32, plan.OutputLen())
		if err := plan.Execute(input, out, NewWorkspace(size)); err != nil {
			t.Fatalf("%v: %v", plan.Algo(), err)
		}
		for i := range out {
			if math.Abs(float64(out[i])-want[i]) > 1e-5*(1+bound[i]) {
				t.Fatalf("%v (asked %v): y[%d] = %g, want %g", plan.Algo(), algo, i, out[i], want[i])
			}
		}
		if err := plan.Close(); err != nil {
			t.Fatal(err)
		}
		ran = append(ran, algo)
	}
	return ran
}

func TestNCHW3x3PaddedWithBias(t *testing.T) {
	d := ConvDesc{Batch: 2, InChannels: 4, OutChannels: 6, InHeight: 9, InWidth: 7,
		KernelHeight: 3, KernelWidth: 3, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1}
	if ran := checkEveryAlgorithm(t, d, true, nil); len(ran) < 3 {
		t.Fatalf("only %v ran", ran)
	}
}

func TestNHWCGroupedStridedDilatedClamped(t *testing.T) {
	d := ConvDesc{Layout: NHWC, FilterLayout: OHWI, Batch: 2, Groups: 2, InChannels: 4,
		OutChannels: 6, InHeight: 11, InWidth: 10, KernelHeight: 3, KernelWidth: 2,
		StrideHeight: 2, DilationHeight: 2, PadTop: 1, PadLeft: 2, PadRight: 1}
	if ran := checkEveryAlgorithm(t, d, true, &[2]float32{-0.5, 0.75}); len(ran) < 2 ||
		!contains(ran, AlgoGroupedNhwc) {
		t.Fatalf("only %v ran", ran)
	}
}

func contains(algos []Algo, a Algo) bool {
	for _, b := range algos {
		if b == a {
			return true
		}
	}
	return false
}

// Depthwise (groups = C) with a channel multiplier and a stride, so that each input channel feeds
// two output channels and the output columns are not the input columns.
func TestDepthwiseNCHWMultiplier2StridedPaddedWithBias(t *testing.T) {
	d := ConvDesc{Batch: 2, Groups: 6, InChannels: 6, OutChannels: 12, InHeight: 10, InWidth: 9,
		KernelHeight: 3, KernelWidth: 3, StrideHeight: 2, StrideWidth: 2, PadTop: 1, PadBottom: 1,
		PadLeft: 1, PadRight: 1}
	if ran := checkEveryAlgorithm(t, d, true, nil); !contains(ran, AlgoDepthwiseNchw) ||
		!contains(ran, AlgoDirect) {
		t.Fatalf("only %v ran", ran)
	}
}

// 19 channels fill no vector width exactly, so depthwise-nhwc runs its channel tail too.
func TestDepthwiseNHWCStridedDilatedAsymmetricPaddingClamped(t *testing.T) {
	d := ConvDesc{Layout: NHWC, FilterLayout: OHWI, Groups: 19, InChannels: 19, OutChannels: 19,
		InHeight: 12, InWidth: 11, KernelHeight: 5, KernelWidth: 3, StrideWidth: 2,
		DilationHeight: 2, PadTop: 3, PadBottom: 1, PadRight: 2}
	ran := checkEveryAlgorithm(t, d, true, &[2]float32{-0.5, 0.75})
	if !contains(ran, AlgoDepthwiseNhwc) || contains(ran, AlgoDepthwiseNchw) {
		t.Fatalf("ran %v", ran)
	}
}

func TestDepthwiseNHWCMultiplier3WithoutBias(t *testing.T) {
	d := ConvDesc{Layout: NHWC, Batch: 2, Groups: 7, InChannels: 7, OutChannels: 21, InHeight: 8,
		InWidth: 8, KernelHeight: 3, KernelWidth: 3, PadTop: 1, PadBottom: 1, PadLeft: 1,
		PadRight: 1}
	if ran := checkEveryAlgorithm(t, d, false, nil); !contains(ran, AlgoDepthwiseNhwc) {
		t.Fatalf("only %v ran", ran)
	}
}

func TestGroupedNHWCThreeGroupsWithBias(t *testing.T) {
	d := ConvDesc{Layout: NHWC, FilterLayout: OHWI, Batch: 2, Groups: 3, InChannels: 12,
		OutChannels: 9, InHeight: 9, InWidth: 8, KernelHeight: 3, KernelWidth: 3, PadTop: 1,
		PadBottom: 1, PadLeft: 1, PadRight: 1}
	if ran := checkEveryAlgorithm(t, d, true, nil); !contains(ran, AlgoGroupedNhwc) {
		t.Fatalf("only %v ran", ran)
	}
}

func TestPointwise1x1WithoutBias(t *testing.T) {
	d := ConvDesc{InChannels: 8, OutChannels: 5, InHeight: 6, InWidth: 6, KernelHeight: 1,
		KernelWidth: 1}
	if ran := checkEveryAlgorithm(t, d, false, nil); len(ran) < 3 {
		t.Fatalf("only %v ran", ran)
	}
}

func TestOnePlanSharedByGoroutines(t *testing.T) {
	d := ConvDesc{InChannels: 3, OutChannels: 4, InHeight: 10, InWidth: 10, KernelHeight: 3,
		KernelWidth: 3, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1}
	filter := data(mustLen(t)(d.FilterLen()), 4)
	plan, err := NewPlan(d, filter, nil, &Options{Algo: AlgoIm2colCopyLong, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	size, _ := plan.WorkspaceSize()
	if size == 0 {
		t.Fatal("im2col-copy-long needs a workspace")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		input := data(plan.InputLen(), uint64(10+g))
		want, bound := reference(t, d, input, filter, nil, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws, out := NewWorkspace(size), make([]float32, plan.OutputLen())
			for rep := 0; rep < 3; rep++ {
				if err := plan.Execute(input, out, ws); err != nil {
					errs <- err
					return
				}
				for i := range out {
					if math.Abs(float64(out[i])-want[i]) > 1e-5*(1+bound[i]) {
						errs <- errors.New("wrong result in a goroutine")
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func small() ConvDesc {
	return ConvDesc{InChannels: 2, OutChannels: 4, InHeight: 8, InWidth: 8, KernelHeight: 3,
		KernelWidth: 3, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1}
}

func expectStatus(t *testing.T, what string, err error, want Status) {
	t.Helper()
	var got Status
	if !errors.As(err, &got) || got != want {
		t.Errorf("%s: got %v, want %v", what, err, want)
	}
}

func TestBadDescriptors(t *testing.T) {
	filter := make([]float32, 4*2*25)
	zeroChannels := small()
	zeroChannels.InChannels = 0
	badGroups := small()
	badGroups.Groups = 3
	noOutput := small()
	noOutput.InHeight, noOutput.KernelHeight = 2, 5
	noOutput.PadTop, noOutput.PadBottom = 0, 0
	for name, d := range map[string]ConvDesc{"zero channels": zeroChannels,
		"2 channels in 3 groups": badGroups, "kernel taller than the image": noOutput} {
		_, err := NewPlan(d, filter, nil, nil)
		expectStatus(t, name, err, StatusInvalidArgument)
	}
	huge := ConvDesc{InChannels: 1 << 16, OutChannels: 1, InHeight: 1 << 20, InWidth: 1 << 20,
		KernelHeight: 3, KernelWidth: 3}
	_, err := NewPlan(huge, make([]float32, mustLen(t)(huge.FilterLen())), nil, nil)
	expectStatus(t, "overflow", err, StatusOverflow)
}

func TestBadSlicesAndOptions(t *testing.T) {
	d := small()
	filter := make([]float32, mustLen(t)(d.FilterLen()))
	_, err := NewPlan(d, filter[1:], nil, nil)
	expectStatus(t, "short filter", err, StatusInvalidArgument)
	_, err = NewPlan(d, filter, make([]float32, 3), nil)
	expectStatus(t, "short bias", err, StatusInvalidArgument)
	_, err = NewPlan(d, filter, nil, &Options{Algo: AlgoGemm1x1})
	expectStatus(t, "1x1 algorithm on a 3x3 kernel", err, StatusUnsupported)
	_, err = NewPlan(d, filter, nil,
		&Options{Algo: AlgoIm2colCopyLong, LimitWorkspace: true, WorkspaceLimit: 0})
	expectStatus(t, "workspace limit", err, StatusOverBudget)
	_, err = NewPlan(d, filter, nil, &Options{Clamp: true, OutputMin: 1, OutputMax: -1})
	expectStatus(t, "inverted clamp", err, StatusInvalidArgument)
	_, err = NewPlan(d, filter, nil, &Options{Algo: 100000})
	expectStatus(t, "unknown algorithm", err, StatusInvalidArgument)
}

func TestBadExecute(t *testing.T) {
	plan, err := NewPlan(small(), make([]float32, 4*2*9), nil, &Options{Algo: AlgoIm2colCopyLong})
	if err != nil {
		t.Fatal(err)
	}
	size, _ := plan.WorkspaceSize()
	in, out := make([]float32, plan.InputLen()), make([]float32, plan.OutputLen())
	ws := NewWorkspace(size + 64)
	expectStatus(t, "short input", plan.Execute(in[1:], out, ws), StatusInvalidArgument)
	expectStatus(t, "short output", plan.Execute(in, out[1:], ws), StatusInvalidArgument)
	expectStatus(t, "workspace one byte short", plan.Execute(in, out, ws[:size-1]),
		StatusWorkspaceTooSmall)
	expectStatus(t, "no workspace", plan.Execute(in, out, nil), StatusWorkspaceTooSmall)
	expectStatus(t, "misaligned workspace", plan.Execute(in, out, ws[4:]), StatusMisaligned)
	shared := make([]float32, plan.InputLen()+plan.OutputLen())
	expectStatus(t, "overlapping input and output",
		plan.Execute(shared[:plan.InputLen()], shared[1:1+plan.OutputLen()], ws),
		StatusInvalidArgument)
	if err := plan.Execute(in, out, ws); err != nil {
		t.Fatal(err)
	}
	plan.Close()
	if err := plan.Execute(in, out, ws); err != ErrClosed {
		t.Errorf("after Close: %v", err)
	}
	if err := plan.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestNamesStatusesAndWorkspaceAlignment(t *testing.T) {
	for _, a := range Algos() {
		if b, err := AlgoByName(a.String()); err != nil || b != a {
			t.Errorf("%v: AlgoByName gives %v, %v", a, b, err)
		}
	}
	if AlgoAuto.String() != "auto" {
		t.Errorf("AUTO is called %q", AlgoAuto.String())
	}
	// Every named constant, in enum order, under the name gemmconv.h gives it: a constant the
	// linked library does not know would fail NewPlan for a caller who names it.
	named := []struct {
		algo Algo
		name string
	}{
		{AlgoDirect, "direct"}, {AlgoGemm1x1, "gemm-1x1"},
		{AlgoIm2colCopyLong, "im2col-copy-long"}, {AlgoIm2rowCopyShort, "im2row-copy-short"},
		{AlgoIm2colScan, "im2col-scan"}, {AlgoIm2colCopyShort, "im2col-copy-short"},
		{AlgoIm2colCopySelf, "im2col-copy-self"}, {AlgoIm2rowScan, "im2row-scan"},
		{AlgoIm2rowCopyLong, "im2row-copy-long"}, {AlgoIm2rowCopySelf, "im2row-copy-self"},
		{AlgoMecCol, "mec-col"}, {AlgoMecRow, "mec-row"},
		{AlgoKn2row, "kn2row"}, {AlgoKn2col, "kn2col"},
		{AlgoKn2rowAa, "kn2row-aa"}, {AlgoKn2colAa, "kn2col-aa"},
		{AlgoKn2rowAs, "kn2row-as"}, {AlgoKn2colAs, "kn2col-as"},
		{AlgoTiledNchw, "tiled-nchw"}, {AlgoTiledNhwc, "tiled-nhwc"},
		{AlgoDepthwiseNchw, "depthwise-nchw"}, {AlgoDepthwiseNhwc, "depthwise-nhwc"},
		{AlgoGroupedNhwc, "grouped-nhwc"}, {AlgoGroupedNchw, "grouped-nchw"},
		{AlgoChannelsNchw, "channels-nchw"}, {AlgoPointwiseNchw, "pointwise-nchw"},
		{AlgoRowsNchw, "rows-nchw"}, {AlgoChannelsStagedNchw, "channels-staged-nchw"},
	}
	for i, n := range named {
		if int(n.algo) != i+1 {
			t.Errorf("%s is %d, want %d", n.name, uint32(n.algo), i+1)
		}
		if got := n.algo.String(); got != n.name {
			t.Errorf("algorithm %d is called %q, want %q", uint32(n.algo), got, n.name)
		}
		if a, err := AlgoByName(n.name); err != nil || a != n.algo {
			t.Errorf("AlgoByName(%q) gives %v, %v", n.name, a, err)
		}
	}
	if len(Algos()) < len(named) {
		t.Errorf("the library lists %d algorithms, the binding names %d", len(Algos()), len(named))
	}
	if _, err := AlgoByName("no-such"); !errors.Is(err, StatusInvalidArgument) {
		t.Errorf("unknown name: %v", err)
	}
	for s := StatusInvalidArgument; s <= StatusInternal; s++ {
		if s.Error() == "" {
			t.Errorf("status %d has no text", s)
		}
	}
	for n := 1; n < 300; n += 37 {
		ws := NewWorkspace(n)
		if len(ws) != n || cap(ws) != n {
			t.Fatalf("NewWorkspace(%d): len %d cap %d", n, len(ws), cap(ws))
		}
		if addr := uintptrOf(ws); addr%WorkspaceAlignment != 0 {
			t.Fatalf("NewWorkspace(%d) at %#x", n, addr)
		}
	}
	if NewWorkspace(0) != nil {
		t.Error("NewWorkspace(0) allocates")
	}
}
