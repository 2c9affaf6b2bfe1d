// rows-nchw: a KH x KW convolution with dilation 1, strides up to 2 (any padding, any groups)
// on channels-first tensors, as pointwise-nchw's register tiles of output channels x
// consecutive output pixels. Each thread stages the input rows a band of output rows reads
// (every input channel, each row with the zeros of its padding; with a column stride, split
// into its phases), then every block of output channels runs over the whole band, its weights
// read once per band; a tile reads every tap as a few vectors of the stage at a fixed shift.
// Where output rows hold the widest vector (16) the bands are of 2 x SH rows and each tile is
// cut from one row, stored as whole vectors into the output: on VGG-19's first layer (3 input
// channels, 224x224) 1.7x grouped-nchw's rate, which stages its output and copies it out.
// Narrower rows of unit-stride layers go as flat bands (RowTilesJob), tiles cut across the
// band's rows laid end to end.
//
// Workspace per thread: the stage (stage_bytes()). Row bands take all of C' when that fits in
// 256 KiB, else C' in equal chunks that do, the sums of all but the last chunk waiting in the
// output (bands of 2 rows with all channels measured 1.05x-1.15x faster than more rows in
// chunks of 32-128 channels, VGG-19 conv1-conv4, skx). Flat bands take all of C', in as many
// bands as that needs. Layers that fit neither way are left to the other algorithms.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>

#include "../../base/checked.hpp"
#include "../../parallel/for_each_share.hpp"
#include "../algorithm.hpp"
#include "pointwise_kernels.hpp"

namespace gemmconv {

namespace {

constexpr int64_t kBandRows = 2;

struct StageLayout {
  int64_t zeros, pitch, phase, base;  // as RowTilesJob's
};

// How the plan cuts the work: tiles from one output row each (bands of 2 x SH rows, the input
// channels in chunks) or flat (the planes' rows in `bands` equal bands per image and group, all
// channels at once).
struct RowPlan {
  bool flat;
  StageLayout stage;
  int64_t band, chunk, bands;
  std::size_t stage_bytes;
};

// Unit column stride: each row followed by zeros, the left and the right padding, and enough
// that an output row fits in a pitch. Column strides: each row in SW phases of the zero-padded
// row, long enough for the output row and the taps' shifts.
StageLayout stage_layout(const ConvDesc& d) {
  if (d.SW == 1) {
    const int64_t zeros = std::max({d.PL, d.PR, d.PL + d.PR - d.KW + 1});
    return {zeros, d.W + zeros, d.W + zeros, zeros - d.PL};
  }
  const int64_t phase = d.Wo + (d.KW - 1) / d.SW;
  return {0, phase * d.SW, phase, 0};
}

// A thread's stage for `rows` output rows and `channels` input channels.
std::size_t stage_bytes(const ConvDesc& d, int64_t rows, int64_t channels) {
  const StageLayout l = stage_layout(d);
  const std::size_t staged_rows =
      checked_add(checked_mul(std::size_t(rows - 1), std::size_t(d.SH)), std::size_t(d.KH));
  const std::size_t per_channel = float_bytes(
      checked_add(std::size_t(l.zeros), checked_mul(staged_rows, std::size_t(l.pitch))));
  return round_up(checked_mul(per_channel, std::size_t(channels)), kAlignment);
}

// Tiles from one output row: bands of 2 x SH rows (with stride 2 the input rows a band reads
// overlap the next band's less: 7x7 first layers 1.12x-1.17x faster than with bands of 2 on
// skx, as fast as with 8), the input channels in as few equal chunks as keep the stage within
// kMaxTileStageBytes (one channel at the least: then perhaps over it). Output rows must hold
// the widest vector.
RowPlan row_tiles_plan(const ConvDesc& d) {
  RowPlan p{};
  p.stage = stage_layout(d);
  p.band = std::min(kBandRows * d.SH, d.Ho);
  const std::size_t per_channel = stage_bytes(d, p.band, 1);
  const int64_t fit = std::max<int64_t>(1, int64_t(kMaxTileStageBytes / per_channel));
  p.chunk = ceil_div(d.Cg(), ceil_div(d.Cg(), std::min(fit, d.Cg())));
  p.stage_bytes = stage_bytes(d, p.band, p.chunk);
  return p;
}
bool row_tiles_fit(const ConvDesc& d) {
  return d.Wo >= kWidestVectorFloats && row_tiles_plan(d).stage_bytes <= kMaxTileStageBytes;
}

// Flat bands: as few bands per plane as keep every band's stage of all C' channels within
// kMaxTileStageBytes and leave a band for each thread, and as many as keep every band at least
// the widest vector long (flat positions). Bands of a plane differ by a row at most. The range
// of band counts is empty (no flat plan) when a band long enough passes the bound.
bool flat_plan(const ConvDesc& d, int threads, RowPlan& p) {
  p = RowPlan{};
  if (!d.stride_one()) return false;
  p.flat = true;
  p.stage = stage_layout(d);
  p.chunk = d.Cg();
  // Rows of the shortest band long enough, and of the longest whose stage fits: C' x (zeros +
  // (rows + KH - 1) x pitch) floats within the bound (a multiple of 64 bytes, so rounding the
  // stage up does not pass it).
  const int64_t shortest =
      1 + (d.Wo >= kWidestVectorFloats ? 0 : ceil_div(kWidestVectorFloats - d.Wo, p.stage.pitch));
  const int64_t floats = int64_t(kMaxTileStageBytes / sizeof(float)) / d.Cg();
  if (shortest > d.Ho || floats < p.stage.zeros) return false;
  const int64_t longest = std::min(d.Ho, (floats - p.stage.zeros) / p.stage.pitch - (d.KH - 1));
  if (longest < shortest) return false;
  const int64_t fewest = ceil_div(d.Ho, longest), most = d.Ho / shortest;
  if (fewest > most) return false;
  const int64_t planes = d.N * d.G;
  p.bands = std::min(most, std::max(fewest, ceil_div(int64_t(threads), planes)));
  p.band = ceil_div(d.Ho, p.bands);
  p.stage_bytes = stage_bytes(d, p.band, p.chunk);
  return true;
}

// Flat where output rows are narrower than the widest vector. Where rows hold one, the tiles
// by rows ran as fast or faster than flat bands even where these keep more lanes busy (3x3
// layers of 56x56 and 28x28 planes, VGG-19 and ResNet-50, skx and haswell).
RowPlan row_plan(const ConvDesc& d, int threads) {
  if (row_tiles_fit(d)) return row_tiles_plan(d);
  RowPlan flat;
  flat_plan(d, threads, flat);
  return flat;
}

bool supports(const ConvDesc& d) {
  if (d.layout != Layout::NCHW || d.taps() == 1 || d.DH != 1 || d.DW != 1 ||
      d.KH > kMaxRowTileTaps || d.SH > kMaxRowTileStride || d.SW > kMaxRowTileStride)
    return false;
  RowPlan flat;
  return row_tiles_fit(d) || flat_plan(d, 1, flat);
}

struct RowsState final : PlanState {
  RowPlan rows;
  int threads;
  std::size_t workspace_bytes() const override {
    return checked_mul(rows.stage_bytes, std::size_t(threads));
  }
  std::size_t bytes() const override { return sizeof *this; }
};

std::size_t workspace_bytes(const ConvDesc& d, int threads, std::size_t) {
  return checked_mul(row_plan(d, threads).stage_bytes, std::size_t(threads));
}

// [G][channel block][C'][KH][KW][rows of the block].
void prepare(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  plan.isa = selected_isa();
  const int64_t rows = pointwise_kernels(plan.isa).rows, mg = d.Mg(), cg = d.Cg(), taps = d.taps();
  auto state = std::make_unique<RowsState>();
  state->rows = row_plan(d, plan.threads);
  state->threads = plan.threads;
  plan.state = std::move(state);
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
  const int64_t cg = d.Cg(), mg = d.Mg();
  const RowPlan& rp = plan.state_as<RowsState>().rows;
  // Output rows [begin, end) of image and group ig.
  auto rows_of = [&](int64_t ig, int64_t begin, int64_t end, int thread) {
    const int64_t n = ig / d.G, g = ig % d.G;
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
    job.SH = d.SH;
    job.SW = d.SW;
    job.zeros = rp.stage.zeros;
    job.pitch = rp.stage.pitch;
    job.phase = rp.stage.phase;
    job.base = rp.stage.base;
    job.row_begin = begin;
    job.row_end = end;
    job.band = rp.flat ? end - begin : rp.band;
    job.chunk = rp.chunk;
    job.lo = plan.output_min;
    job.hi = plan.output_max;
    job.clamp = plan.has_clamp();
    job.flat = rp.flat;
    kernels.row_tiles(job);
  };
  if (rp.flat) {
    // The threads share out the bands of all planes.
    for_each_share(plan.team(), d.N * d.G * rp.bands, [&](Range share, int thread) {
      for (int64_t u = share.begin; u < share.end; ++u) {
        const Range band = split_range(d.Ho, rp.bands, u % rp.bands);
        rows_of(u / rp.bands, band.begin, band.end, thread);
      }
    });
    return;
  }
  // The threads share out output rows; a thread whose rows start or end inside a plane stages
  // the KH - 1 input rows it shares with its neighbour too.
  for_each_share(plan.team(), d.N * d.G * d.Ho, [&](Range share, int thread) {
    for (int64_t r = share.begin; r < share.end;) {
      const int64_t ig = r / d.Ho, end = std::min(share.end, (ig + 1) * d.Ho);
      rows_of(ig, r - ig * d.Ho, end - ig * d.Ho, thread);
      r = end;
    }
  });
}

// Each weight serves a band's pixels per read: with fewer than this many (rows of 56 and 28,
// VGG-19, ResNet-50 and GoogLeNet v1, skx and haswell) the tiles ran 1.04x-1.28x channels-nchw's
// time, with rows of 112 and 224 0.93x-0.97x the fastest other's (1.5x faster on a first layer
// of 3 channels).
constexpr double kReusedPixels = 224;

// As pointwise-nchw's fit: the useful channels of the channel blocks, the useful lanes of the
// vectors of a row (or of a flat band), the width of its tiles, narrow_tile_share(); and the
// band's pixels against kReusedPixels (a flat band holding the whole plane reads each weight
// once).
double tile_fit(const ConvDesc& d, int threads) {
  const PointwiseKernels& k = pointwise_kernels(selected_isa());
  const RowPlan p = row_plan(d, threads);
  const int64_t rows = std::min(p.band, d.Ho);
  const int64_t outputs = p.flat ? rows * d.Wo : d.Wo;  // of a run of tiles
  const int64_t length = p.flat ? (rows - 1) * p.stage.pitch + d.Wo : d.Wo;
  const int64_t vectors = ceil_div(length, k.vector_floats);
  const int64_t blocks = ceil_div(vectors, k.vectors);
  const int64_t channel_blocks = ceil_div(d.Mg(), k.rows);
  const double channels = double(d.Mg()) / double(channel_blocks * k.rows);
  const double lanes = double(outputs) / double(vectors * k.vector_floats);
  const double width = double(vectors) / double(blocks * k.vectors);
  const bool whole_plane = p.flat && rows == d.Ho;
  const double reuse = whole_plane ? 1.0 : std::min(1.0, double(rows * d.Wo) / kReusedPixels);
  return channels * lanes * std::sqrt(width) * reuse * narrow_tile_share(k);
}

}  // namespace

extern const Algorithm kRowsNchw = {
    "rows-nchw", supports, workspace_bytes, prepare, run, tile_fit,
};

}  // namespace gemmconv
