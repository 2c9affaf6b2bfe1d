// rows-nchw: a KH x KW convolution with unit strides and dilations (any padding, any groups) on
// channels-first tensors, as pointwise-nchw's register tiles of output channels x consecutive
// output pixels, each tile cut from one output row. The output rows go in bands of two: each
// thread stages the input rows a band reads (KH + 1 rows per input channel, zero-padded left and
// right), then every block of output channels runs over both rows, its weights read once per
// band; a tile reads every tap as a few vectors of a staged row, a fixed shift along it. Tiles
// store whole vectors into the output rows: on VGG-19's first layer (3 input channels, 224x224)
// 1.7x grouped-nchw's rate, which stages its output and copies it out.
//
// Workspace per thread: the stage, 4 * (KH + 1) * (PL + W + PR) bytes per input channel of a
// chunk, rounded up to 64: all of C' when that fits in 256 KiB, else C' in equal chunks that do,
// the sums of all but the last chunk waiting in the output (bands of 2 rows with all channels
// measured 1.05x-1.15x faster than more rows in chunks of 32-128 channels, VGG-19 conv1-conv4,
// skx). Layers whose stage passes 256 KiB with a single channel, and output rows shorter than the
// widest vector (16: a row's last vector is moved back to end at the row's end), are left to the
// other algorithms.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "../../base/checked.hpp"
#include "../../parallel/for_each_share.hpp"
#include "../algorithm.hpp"
#include "pointwise_kernels.hpp"

namespace gemmconv {

namespace {

constexpr int64_t kBandRows = 2;

struct RowPlan {
  int64_t band, chunk;
  std::size_t stage_bytes;
};

// The band, and the input channels in as few equal chunks as keep the stage within
// kMaxTileStageBytes (one channel at the least: then perhaps over it).
RowPlan row_plan(const ConvDesc& d) {
  RowPlan p;
  p.band = std::min(kBandRows, d.Ho);
  const std::size_t per_channel =
      checked_mul(float_bytes(std::size_t(d.PL + d.W + d.PR)), std::size_t(p.band + d.KH - 1));
  const int64_t fit = std::max<int64_t>(1, int64_t(kMaxTileStageBytes / per_channel));
  p.chunk = ceil_div(d.Cg(), ceil_div(d.Cg(), std::min(fit, d.Cg())));
  p.stage_bytes = round_up(checked_mul(per_channel, std::size_t(p.chunk)), kAlignment);
  return p;
}

bool supports(const ConvDesc& d) {
  if (d.layout != Layout::NCHW || d.taps() == 1 || !d.stride_one() || d.DH != 1 || d.DW != 1 ||
      d.KH > kMaxRowTileTaps || d.Wo < kWidestVectorFloats)
    return false;
  return row_plan(d).stage_bytes <= kMaxTileStageBytes;
}

std::size_t workspace_bytes(const ConvDesc& d, int threads, std::size_t) {
  return checked_mul(row_plan(d).stage_bytes, std::size_t(threads));
}

// [G][channel block][C'][KH][KW][rows of the block].
void prepare(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  plan.isa = selected_isa();
  const int64_t rows = pointwise_kernels(plan.isa).rows, mg = d.Mg(), cg = d.Cg(), taps = d.taps();
  plan.filter =
      AlignedBuffer(checked_product(std::size_t(d.G), std::size_t(mg), std::size_t(cg * taps)));
  float* packed = plan.filter.data();
  for (int64_t g = 0; g < d.G; ++g)
    for (int64_t m = 0; m < mg; ++m) {
      const int64_t b = m / rows, width = std::min(rows, mg - b * rows);
      float* block = packed + (g * mg + b * rows) * cg * taps;
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t ky = 0; ky < d.KH; ++ky)
          for (int64_t kx = 0; kx < d.KW; ++kx)
            block[((c * d.KH + ky) * d.KW + kx) * width + m % rows] =
                filter.at(g * mg + m, c, ky, kx);
    }
}

void run(const Plan& plan, const float* input, float* output, float* workspace) {
  const ConvDesc& d = plan.desc;
  const PointwiseKernels& kernels = pointwise_kernels(plan.isa);
  const int64_t cg = d.Cg(), mg = d.Mg(), rows = d.N * d.G * d.Ho;
  const RowPlan rp = row_plan(d);
  // The threads share out output rows; a thread whose rows start or end inside a plane stages
  // the KH - 1 input rows it shares with its neighbour too.
  for_each_share(plan.team(), rows, [&](Range share, int thread) {
    for (int64_t r = share.begin; r < share.end;) {
      const int64_t ig = r / d.Ho, n = ig / d.G, g = ig % d.G;
      const int64_t end = std::min(share.end, (ig + 1) * d.Ho);
      RowTilesJob job;
      job.x = input + n * d.in_image() + g * cg * d.H * d.W;
      job.y = output + n * d.out_image() + g * mg * d.Ho * d.Wo;
      job.weights = plan.filter.data() + g * mg * cg * d.taps();
      job.bias = plan.has_bias() ? plan.bias.data() + g * mg : nullptr;
      job.stage = reinterpret_cast<float*>(reinterpret_cast<unsigned char*>(workspace) +
                                           std::size_t(thread) * rp.stage_bytes);
      job.channels = cg;
      job.outputs = mg;
      job.H = d.H;
      job.W = d.W;
      job.Ho = d.Ho;
      job.Wo = d.Wo;
      job.KH = d.KH;
      job.KW = d.KW;
      job.PT = d.PT;
      job.PL = d.PL;
      job.pitch = d.PL + d.W + d.PR;
      job.row_begin = r - ig * d.Ho;
      job.row_end = end - ig * d.Ho;
      job.band = rp.band;
      job.chunk = rp.chunk;
      job.lo = plan.output_min;
      job.hi = plan.output_max;
      job.clamp = plan.has_clamp();
      kernels.row_tiles(job);
      r = end;
    }
  });
}

// Each weight serves a band's pixels per read: with fewer than this many (rows of 56 and 28,
// VGG-19, ResNet-50 and GoogLeNet v1, skx and haswell) the tiles ran 1.04x-1.28x channels-nchw's
// time, with rows of 112 and 224 0.93x-0.97x the fastest other's (1.5x faster on a first layer
// of 3 channels).
constexpr double kReusedPixels = 224;

// As pointwise-nchw's fit: the useful channels of the channel blocks, the useful lanes of a
// row's vectors, the width of its tiles, narrow_tile_share(); and the band's pixels against
// kReusedPixels.
double tile_fit(const ConvDesc& d, int) {
  const PointwiseKernels& k = pointwise_kernels(selected_isa());
  const int64_t vectors = ceil_div(d.Wo, k.vector_floats);
  const int64_t blocks = ceil_div(vectors, k.vectors);
  const int64_t channel_blocks = ceil_div(d.Mg(), k.rows);
  const double channels = double(d.Mg()) / double(channel_blocks * k.rows);
  const double lanes = double(d.Wo) / double(vectors * k.vector_floats);
  const double width = double(vectors) / double(blocks * k.vectors);
  const double reuse = std::min(1.0, double(row_plan(d).band * d.Wo) / kReusedPixels);
  return channels * lanes * std::sqrt(width) * reuse * narrow_tile_share(k);
}

}  // namespace

extern const Algorithm kRowsNchw = {
    "rows-nchw", supports, workspace_bytes, prepare, run, tile_fit,
};

}  // namespace gemmconv
