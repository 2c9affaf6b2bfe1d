#include "measured_model.hpp"

#include <cstring>

#include "../base/status.hpp"

namespace gemmconv {

namespace {

struct MeasuredRate {
  const char* algorithm;
  int percent;
};

// Rewritten by bench/refit_rates.py (between the markers) from gemmconv-bench CSV files: per
// algorithm, the median GFLOP/s per thread over the layers it runs on (every layer of the four
// dense networks and MobileNet v1, mb=1, 1 and 2 threads, both layouts), in percent of the
// reference rate; grouped-nhwc fitted by hand with its shape factor against tiled-nhwc, and
// grouped-nchw by hand with its shape factor against tiled-nchw (the ResNet-50 and GoogLeNet
// v1 layers, 1 thread: the rate that lets AUTO's choice between the two lose least against the
// faster of them), channels-nchw by hand with its shape factor against both (grouped_nhwc.cpp),
// channels-staged-nchw by hand with its shape factor against the other NCHW algorithms (the
// four dense networks, haswell and skx, 1 and 2 threads, each layer's fastest of 3-6 runs side
// by side: AUTO's choices within 0.1-1.7% of the per-layer fastest's totals),
// tiled-nchw by hand with its packing term against grouped-nchw and channels-nchw (tiled.cpp),
// pointwise-nchw by hand with its shape factor against grouped-nchw (1x1 layers of ResNet-50
// and GoogLeNet v1 with 784 pixels or more, skx, 1 thread: 1.09x-1.16x its rate), kn2row-as /
// kn2col-as by hand against tiled-nchw / tiled-nhwc (their median
// GFLOP/s ratio on the ResNet-50 and GoogLeNet v1 layers, 1 thread: 0.95 and 0.97). Only their
// ratios decide. BEGIN MEASURED RATES
const MeasuredRate kRates[] = {
    {"direct", 3},
    {"gemm-1x1", 55},
    {"im2col-copy-long", 54},
    {"im2row-copy-short", 52},
    {"im2col-scan", 44},
    {"im2col-copy-short", 43},
    {"im2col-copy-self", 54},
    {"im2row-scan", 48},
    {"im2row-copy-long", 58},
    {"im2row-copy-self", 59},
    {"mec-col", 32},
    {"mec-row", 34},
    {"kn2row", 54},
    {"kn2col", 63},
    {"kn2row-aa", 55},
    {"kn2col-aa", 62},
    {"kn2row-as", 64},
    {"kn2col-as", 62},
    {"tiled-nchw", 92},
    {"tiled-nhwc", 67},
    {"depthwise-nchw", 10},
    {"depthwise-nhwc", 25},
    {"grouped-nhwc", 80},
    {"grouped-nchw", 95},
    {"channels-nchw", 92},
    {"pointwise-nchw", 105},
    {"rows-nchw", 105},
    {"channels-staged-nchw", 85},
};
// END MEASURED RATES

}  // namespace

const MeasuredModel kMeasuredModel = {100e9, 20e9, std::size_t{1} << 20};

int measured_percent(const char* name) {
  for (const MeasuredRate& r : kRates)
    if (std::strcmp(r.algorithm, name) == 0) return r.percent;
  fail(Status::Internal);
}

}  // namespace gemmconv
