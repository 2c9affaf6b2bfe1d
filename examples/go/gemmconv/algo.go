package gemmconv

/*
#include <stdlib.h>
#include <gemmconv.h>
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Algo is an algorithm by its number in gemmconv_algo. The linked library may know more
// algorithms than the constants below name: Algos lists them all.
type Algo uint32

const (
	AlgoAuto               Algo = C.GEMMCONV_ALGO_AUTO // let the library choose
	AlgoDirect             Algo = C.GEMMCONV_ALGO_DIRECT
	AlgoGemm1x1            Algo = C.GEMMCONV_ALGO_GEMM_1X1
	AlgoIm2colCopyLong     Algo = C.GEMMCONV_ALGO_IM2COL_COPY_LONG
	AlgoIm2rowCopyShort    Algo = C.GEMMCONV_ALGO_IM2ROW_COPY_SHORT
	AlgoIm2colScan         Algo = C.GEMMCONV_ALGO_IM2COL_SCAN
	AlgoIm2colCopyShort    Algo = C.GEMMCONV_ALGO_IM2COL_COPY_SHORT
	AlgoIm2colCopySelf     Algo = C.GEMMCONV_ALGO_IM2COL_COPY_SELF
	AlgoIm2rowScan         Algo = C.GEMMCONV_ALGO_IM2ROW_SCAN
	AlgoIm2rowCopyLong     Algo = C.GEMMCONV_ALGO_IM2ROW_COPY_LONG
	AlgoIm2rowCopySelf     Algo = C.GEMMCONV_ALGO_IM2ROW_COPY_SELF
	AlgoMecCol             Algo = C.GEMMCONV_ALGO_MEC_COL
	AlgoMecRow             Algo = C.GEMMCONV_ALGO_MEC_ROW
	AlgoKn2row             Algo = C.GEMMCONV_ALGO_KN2ROW
	AlgoKn2col             Algo = C.GEMMCONV_ALGO_KN2COL
	AlgoKn2rowAa           Algo = C.GEMMCONV_ALGO_KN2ROW_AA
	AlgoKn2colAa           Algo = C.GEMMCONV_ALGO_KN2COL_AA
	AlgoKn2rowAs           Algo = C.GEMMCONV_ALGO_KN2ROW_AS
	AlgoKn2colAs           Algo = C.GEMMCONV_ALGO_KN2COL_AS
	AlgoTiledNchw          Algo = C.GEMMCONV_ALGO_TILED_NCHW
	AlgoTiledNhwc          Algo = C.GEMMCONV_ALGO_TILED_NHWC
	AlgoDepthwiseNchw      Algo = C.GEMMCONV_ALGO_DEPTHWISE_NCHW
	AlgoDepthwiseNhwc      Algo = C.GEMMCONV_ALGO_DEPTHWISE_NHWC
	AlgoGroupedNhwc        Algo = C.GEMMCONV_ALGO_GROUPED_NHWC
	AlgoGroupedNchw        Algo = C.GEMMCONV_ALGO_GROUPED_NCHW
	AlgoChannelsNchw       Algo = C.GEMMCONV_ALGO_CHANNELS_NCHW
	AlgoPointwiseNchw      Algo = C.GEMMCONV_ALGO_POINTWISE_NCHW
	AlgoRowsNchw           Algo = C.GEMMCONV_ALGO_ROWS_NCHW
	AlgoChannelsStagedNchw Algo = C.GEMMCONV_ALGO_CHANNELS_STAGED_NCHW
)

// Algos returns every algorithm of the linked library, AUTO excluded.
func Algos() []Algo {
	count := int(C.gemmconv_algo_count())
	algos := make([]Algo, 0, count)
	for a := 1; a <= count; a++ {
		algos = append(algos, Algo(a))
	}
	return algos
}

// String returns the library's name for the algorithm ("direct", "auto", ...).
func (a Algo) String() string {
	name := C.gemmconv_algo_name(C.gemmconv_algo(a))
	if name == nil {
		return fmt.Sprintf("Algo(%d)", uint32(a))
	}
	return C.GoString(name)
}

// AlgoByName returns the algorithm that String names so, or StatusInvalidArgument.
func AlgoByName(name string) (Algo, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var algo C.gemmconv_algo
	if err := check(C.gemmconv_algo_from_name(cname, &algo)); err != nil {
		return 0, err
	}
	return Algo(algo), nil
}
