// pointwise-nchw: a 1x1 convolution without padding on channels-first tensors (any groups), as
// register tiles of output channels x consecutive output pixels (pointwise_kernels_impl.hpp).
// Each output plane is its input planes combined pixel by pixel: with unit strides the input is
// read where it lies, a few vectors of a plane at a time; with strides each block of the tiles'
// pixels is first gathered from every input plane into a stage (C' rows of the block's width)
// that all its tiles read. The tiles are stored whole into the output planes: no packed input
// beyond that stage, no transposes. The filter is packed once, per block of the tile's output
// channels, input channel major; the bias and the clamp are applied in the tile.
//
// Workspace, strided layers only: per thread, one stage, 4 * (C' * the tile's pixels (at most
// 48) + 16) bytes rounded up to 64; layers whose stage would pass 256 KiB (more than 1365 input
// channels per group) are left to the other algorithms. Planes of fewer output pixels than the
// widest vector (16) too: a tile's last vector is moved back to end at the plane's end, which
// needs a vector's worth of pixels.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "../../base/checked.hpp"
#include "../../parallel/for_each_share.hpp"
#include "../algorithm.hpp"
#include "pointwise_kernels.hpp"

namespace gemmconv {

namespace {

// C' rows of the block's width, and a vector's slack (the gather's last vector may spill).
std::size_t stage_bytes(const ConvDesc& d, int64_t block_floats) {
  if (d.stride_one()) return 0;
  const std::size_t floats =
      checked_add(checked_mul(std::size_t(d.Cg()), std::size_t(block_floats)),
                  std::size_t(kWidestVectorFloats));
  return round_up(float_bytes(floats), kAlignment);
}

bool supports(const ConvDesc& d) {
  return d.layout == Layout::NCHW && d.KH == 1 && d.KW == 1 && d.no_padding() &&
         d.Ho * d.Wo >= kWidestVectorFloats &&
         stage_bytes(d, kMaxPointwiseBlockFloats) <= kMaxTileStageBytes;
}

std::size_t workspace_bytes(const ConvDesc& d, int threads, std::size_t) {
  const PointwiseKernels& k = pointwise_kernels(selected_isa());
  return checked_mul(stage_bytes(d, k.vectors * k.vector_floats), std::size_t(threads));
}

// How a group's output is cut into tiles for the plan's kernels.
struct TileGrid {
  int64_t vectors;             // the full tile's pixel vectors
  int64_t channel_blocks;      // ceil(M' / rows)
  int64_t pixel_blocks;        // ceil(Ho * Wo / (vectors x vector floats))
  int64_t last_block_vectors;  // vectors of the plane's last pixel block
  int64_t tiles() const { return channel_blocks * pixel_blocks; }
  // The work of an image and group, in (vector x channel block) units, each tile weighing its
  // vectors: only the last pixel block may be narrower.
  int64_t work() const {
    return ((pixel_blocks - 1) * vectors + last_block_vectors) * channel_blocks;
  }
  // The first tile starting at or after work unit u of an image and group.
  int64_t tile_at(int64_t u) const {
    const int64_t full = (pixel_blocks - 1) * vectors * channel_blocks;
    if (u < full) return ceil_div(u, vectors);
    return (pixel_blocks - 1) * channel_blocks + ceil_div(u - full, last_block_vectors);
  }
};

TileGrid tile_grid(const ConvDesc& d, const PointwiseKernels& k) {
  TileGrid g;
  g.vectors = k.vectors;
  g.channel_blocks = ceil_div(d.Mg(), k.rows);
  const int64_t pixels = d.Ho * d.Wo, block = k.vectors * k.vector_floats;
  g.pixel_blocks = ceil_div(pixels, block);
  g.last_block_vectors = ceil_div(pixels - (g.pixel_blocks - 1) * block, k.vector_floats);
  return g;
}

// [G][channel block][C'][rows of the block]: a block's weights for one input channel are
// consecutive, the broadcasts of one step of the tile's reduction.
void prepare(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  plan.isa = selected_isa();
  const int64_t rows = pointwise_kernels(plan.isa).rows, mg = d.Mg(), cg = d.Cg();
  plan.filter = AlignedBuffer(checked_product(std::size_t(d.G), std::size_t(mg), std::size_t(cg)));
  float* packed = plan.filter.data();
  for (int64_t g = 0; g < d.G; ++g)
    for (int64_t m = 0; m < mg; ++m) {
      const int64_t b = m / rows, width = std::min(rows, mg - b * rows);
      float* block = packed + (g * mg + b * rows) * cg;
      for (int64_t c = 0; c < cg; ++c) block[c * width + m % rows] = filter.at(g * mg + m, c, 0, 0);
    }
}

// With fewer pixel blocks than this per thread, the threads share out channel blocks instead
// of tiles: each then reads a share of the weights per pixel block (and gathers every block
// itself), where sharing tiles has each thread read all the weights; measured on 14x14 planes
// with 1024 output channels (ResNet-50 res4a_branch1, 2 threads, skx).
constexpr int64_t kPixelBlocksPerThread = 4;

void run(const Plan& plan, const float* input, float* output, float* workspace) {
  const ConvDesc& d = plan.desc;
  const PointwiseKernels& kernels = pointwise_kernels(plan.isa);
  const TileGrid grid = tile_grid(d, kernels);
  const int64_t pixels = d.Ho * d.Wo, in_plane = d.H * d.W, cg = d.Cg(), mg = d.Mg();
  const std::size_t stage = stage_bytes(d, kernels.vectors * kernels.vector_floats);
  const int64_t per_image_group = grid.work(), image_groups = d.N * d.G;
  const int team = plan.team();
  const bool split_channels = team > 1 && grid.pixel_blocks < kPixelBlocksPerThread * team &&
                              grid.channel_blocks >= 2 * team;
  // One image and group, channel blocks [b0, b1), tiles [t0, t1) of those.
  auto run_job = [&](int64_t ig, int64_t b0, int64_t b1, int64_t t0, int64_t t1, int thread) {
    const int64_t n = ig / d.G, g = ig % d.G, m0 = b0 * kernels.rows;
    PointwiseJob job;
    job.x = input + n * d.in_image() + g * cg * in_plane;
    job.y = output + n * d.out_image() + (g * mg + m0) * pixels;
    job.weights = plan.filter.data() + (g * mg + m0) * cg;
    job.bias = plan.has_bias() ? plan.bias.data() + g * mg + m0 : nullptr;
    job.channels = cg;
    job.outputs = std::min(mg, b1 * kernels.rows) - m0;
    job.pixels = pixels;
    job.in_plane = in_plane;
    job.W = d.W;
    job.Wo = d.Wo;
    job.SH = d.SH;
    job.SW = d.SW;
    job.stage = stage ? reinterpret_cast<float*>(reinterpret_cast<unsigned char*>(workspace) +
                                                 std::size_t(thread) * stage)
                      : nullptr;
    job.blocks = b1 - b0;
    job.tile_begin = t0;
    job.tile_end = t1;
    job.lo = plan.output_min;
    job.hi = plan.output_max;
    job.clamp = plan.has_clamp();
    if (t0 < t1) kernels.tiles(job);
  };
  if (split_channels) {
    for_each_share(team, grid.channel_blocks, [&](Range blocks, int thread) {
      for (int64_t ig = 0; ig < image_groups; ++ig)
        run_job(ig, blocks.begin, blocks.end, 0, grid.pixel_blocks * (blocks.end - blocks.begin),
                thread);
    });
    return;
  }
  // Otherwise the threads share out the work in contiguous ranges of tiles (channel block
  // fastest), each weighing its vectors: a pixel block shared by two threads is read (or
  // gathered) by both.
  for_each_share(team, image_groups * per_image_group, [&](Range share, int thread) {
    for (int64_t ig = share.begin / per_image_group; ig * per_image_group < share.end; ++ig) {
      const int64_t base = ig * per_image_group;
      run_job(ig, 0, grid.channel_blocks, grid.tile_at(std::max<int64_t>(share.begin - base, 0)),
              share.end - base >= per_image_group ? grid.tiles() : grid.tile_at(share.end - base),
              thread);
    }
  });
}

// A strided layer's gather: each input value staged serves M' multiply-adds of the tiles; the
// gather costs as much as this many of them.
constexpr double kGatherCost = 32;

// The fraction of its rate the tiles keep: the useful channels of the channel blocks, the
// useful lanes of the vectors computed (the last vector of a plane moved back computes some
// pixels twice), and the width of the tiles (a plane's last block of one vector feeds each
// broadcast one multiply-add; as grouped-nchw's fit, the square root of the vectors' share of
// full tiles). On 7x7 planes (49 pixels in 3 + 1 vectors of 16) this leaves 0.63, where
// channels-nchw, with the channels across the lanes, measured 1.2x faster. Then the gather's
// cost, and narrow_tile_share().
double tile_fit(const ConvDesc& d, int) {
  const PointwiseKernels& k = pointwise_kernels(selected_isa());
  const TileGrid g = tile_grid(d, k);
  const int64_t vectors = (g.pixel_blocks - 1) * g.vectors + g.last_block_vectors;
  const double channels = double(d.Mg()) / double(g.channel_blocks * k.rows);
  const double lanes = double(d.Ho * d.Wo) / double(vectors * k.vector_floats);
  const double width = double(vectors) / double(g.pixel_blocks * g.vectors);
  const double gather = d.stride_one() ? 1.0 : 1.0 / (1.0 + kGatherCost / double(d.Mg()));
  return channels * lanes * std::sqrt(width) * gather * narrow_tile_share(k);
}

}  // namespace

extern const Algorithm kPointwiseNchw = {
    "pointwise-nchw", supports, workspace_bytes, prepare, run, tile_fit,
};

}  // namespace gemmconv
