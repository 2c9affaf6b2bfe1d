// What the depthwise and grouped records share: the window geometry and clamp of a plan, and the
// kernel table its filter was packed for.
#pragma once

#include "../../parallel/for_each_share.hpp"
#include "../algorithm.hpp"
#include "kernels.hpp"

namespace gemmconv {

// Packs the filter and bias of a depthwise layer for the channels-last loop of the plan's ISA:
// per block of V output channels, KH*KW weight vectors, then the bias vector; lanes past M zero.
void pack_depthwise_blocks(Plan& plan, const FilterView& filter);

inline WindowGeometry window_geometry(const ConvDesc& d) {
  return {d.H, d.W, d.Ho, d.Wo, d.KH, d.KW, d.SH, d.SW, d.DH, d.DW, d.PT, d.PL};
}

inline OutputClamp output_clamp(const Plan& plan) {
  return {plan.output_min, plan.output_max, plan.has_clamp()};
}

// The work items of the channels-last algorithms: (image, channel slab, output row). Rows are
// the better split (a thread then walks whole pixels, one contiguous stream, and the loop
// keeps its widest steps over the output channels); the channels are cut into slabs (whole
// vectors) as well only while the rows do not share out evenly: the fewest slabs that bring
// the busiest thread's share within 5% of an even one (a 7x7 plane on 2 threads: 2 slabs, 7
// rows each, instead of 4 rows against 3), or, on channels-first output with vectors of 16
// floats, where a thread's rows would hold few pixels of a plane (kMinPlaneShare). Each output
// is computed the same way whatever the cut.
struct RowItems {
  int64_t slabs, slab_channels, items;
};

// Threads that split a plane's rows both write the cache line where their rows meet, in every
// channels-first output plane, and each streams every weight of the layer for its few pixels.
// Below this many pixels of a plane per thread (14x14 on two threads: 98) the output channels
// go in one slab per thread instead, where such slabs are even and at least two vectors wide
// (a one-vector step feeds too few sums per broadcast). Measured side by side at 2 threads with
// 16-float vectors (skx): 14x14 layers 1.1x-1.4x faster, AUTO's NCHW totals 1.04x-1.06x
// faster on ResNet-50 and GoogLeNet, 32 channels (one vector a slab) 1.35x slower; with 8-float
// vectors (haswell) 14x14 layers ran 5-15% slower so cut, and 28x28 planes (392 pixels a
// thread) no faster with either.
constexpr int64_t kMinPlaneShare = 256;

inline RowItems row_items(const ConvDesc& d, int threads, int64_t vector_floats) {
  const int64_t rows = d.N * d.Ho, blocks = (d.M + vector_floats - 1) / vector_floats;
  const int64_t t = threads;
  auto cut = [&](int64_t wanted) {
    const int64_t blocks_per_slab = (blocks + wanted - 1) / wanted;
    RowItems r;
    r.slab_channels = blocks_per_slab * vector_floats;
    r.slabs = (d.M + r.slab_channels - 1) / r.slab_channels;
    r.items = rows * r.slabs;
    return r;
  };
  // The busiest thread's share against an even share (for_each_share cuts contiguous runs of
  // items that differ by one at most).
  auto imbalance = [&](const RowItems& r) {
    return double((r.items + t - 1) / t) * double(t) / double(r.items);
  };
  const bool small_planes = d.layout == Layout::NCHW && vector_floats >= 16 &&
                            d.Ho * d.Wo < kMinPlaneShare * t && blocks >= 2 * t;
  if (t > 1 && small_planes) {
    const RowItems slabs = cut(t);  // even within 5% in channels, else rows after all
    if (double(slabs.slab_channels) * double(t) <= 1.05 * double(d.M)) return slabs;
  }
  RowItems best = cut(1);
  for (int64_t s = best.slabs + 1; s <= blocks && s <= 4 * t && imbalance(best) > 1.05; ++s) {
    const RowItems r = cut(s);
    if (imbalance(r) < imbalance(best)) best = r;
  }
  return best;
}

// Calls run(image, row_begin, row_end, m_begin, m_end) for the items [begin, end), grouped into
// runs of consecutive rows of one image and slab.
template <typename Run>
void for_each_row_run(const ConvDesc& d, const RowItems& r, int64_t begin, int64_t end, Run&& run) {
  while (begin < end) {
    const int64_t row = begin % d.Ho, slab = begin / d.Ho % r.slabs, image = begin / d.Ho / r.slabs;
    const int64_t rows = end - begin < d.Ho - row ? end - begin : d.Ho - row;
    const int64_t m0 = slab * r.slab_channels;
    run(image, row, row + rows, m0, m0 + r.slab_channels < d.M ? m0 + r.slab_channels : d.M);
    begin += rows;
  }
}

// Runs kernel(job) over the channels-last work items of `d` (the plan's layer, or the same
// layer seen with other row boundaries), split among the plan's threads; `job` comes with the
// fields of its own kind set, the shared ones are filled here.
template <typename Job, typename Kernel>
void run_channels_last(const Plan& plan, const ConvDesc& d, const float* input, float* output,
                       int64_t vector_floats, Job job, Kernel kernel) {
  job.weights = plan.filter.data();
  job.C = d.C;
  job.M = d.M;
  job.g = window_geometry(d);
  job.clamp = output_clamp(plan);
  const RowItems items = row_items(d, plan.team(), vector_floats);
  for_each_share(plan.team(), items.items, [&](Range share, int) {
    Job mine = job;
    for_each_row_run(d, items, share.begin, share.end,
                     [&](int64_t n, int64_t row0, int64_t row1, int64_t m0, int64_t m1) {
                       mine.x = input + n * d.in_image();
                       mine.y = output + n * d.out_image();
                       mine.row_begin = row0;
                       mine.row_end = row1;
                       mine.m_begin = m0;
                       mine.m_end = m1;
                       kernel(mine);
                     });
  });
}

}  // namespace gemmconv
