// grouped-nchw: any convolution with channels-first activations (any groups, one too), as a
// direct loop vectorised over output positions: a tile of up to six vectors of positions times
// four output channels of a group is summed over the group's input channels and taps, one
// broadcast weight feeding a row of multiply-adds. It is for NCHW what grouped-nhwc is for NHWC:
// no patch matrix and no packed panel of the input.
//
// A 1x1 layer with unit stride and no padding reads its input where it lies (each output
// position is the same position of every input plane); any other layer stages a band of output
// rows' padded input per plane, split by stride phase as depthwise-nchw does, so that every tap
// of every output position is one fixed offset into the staged band; the positions of a band
// are then computed as flat runs of the staged pitch and the few past each row's end dropped.
//
// Workspace per thread used: staged, the band of one group's planes, 4 * (C' * row_phases *
// col_phases * staged_rows * pitch + 16) bytes rounded up to 64, with the band's rows the most
// whose stage fits in min(128 KiB, the kernel's MC x KC block, the workspace_limit's share), one
// row at least; with more input channels than one pass takes, the partial sums of a slab of
// output channels, at most 128 KiB (dropped, for a single pass, under a tight limit).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "../../blis/microkernel.hpp"
#include "depthwise_common.hpp"
#include "nchw_bands.hpp"

namespace gemmconv {

namespace {

// The two parts of a thread's workspace, together at most 256 KiB.
constexpr std::size_t kStageCapBytes = 128 * 1024;
constexpr int64_t kPartialCapBytes = 128 * 1024;

// The plan's way through the layer, decided once from the layer, the thread count, the limit
// and the vector width of the ISA its filter is packed for.
struct GroupedNchwState final : PlanState {
  bool in_place = false;
  int64_t vector_floats = 0, max_vectors = 0;
  int64_t row_phases = 1, col_phases = 1, pitch = 0, staged_rows = 0, plane_block = 0;
  int64_t rows = 0, bands = 0;    // output rows per band (staged only); bands per image plane
  int64_t blocks = 0, slabs = 0;  // weight blocks per group; slabs of them, one per item
  int64_t slab_blocks = 0;        // blocks per slab
  int64_t chunk = 0;              // input channels per pass
  int64_t items = 0;              // N * G * bands * slabs
  std::size_t stage_bytes = 0, partial_bytes = 0, thread_bytes = 0, threads_bytes = 0;
  std::vector<int64_t> taps;  // offset of each tap (ky, kx) into a staged plane
  std::size_t workspace_bytes() const override { return threads_bytes; }
  std::size_t bytes() const override { return sizeof *this + taps.size() * sizeof(int64_t); }
};

std::size_t stage_bytes(int64_t planes, int64_t block) {
  return round_up(float_bytes(checked_add(checked_mul(std::size_t(planes), std::size_t(block)),
                                          std::size_t(kNchwSlackFloats))),
                  kAlignment);
}

// Output rows [begin, end) of band b: bands differ by one row at most.
Range band_rows(const GroupedNchwState& s, const ConvDesc& d, int64_t b) {
  return split_range(d.Ho, s.bands, b);
}

// The threads' shares are evened out by cutting the output channels into more slabs until the
// busiest thread has at most this much more than an equal share, with at most four times the
// slabs the partial sums need and at most kMaxBalancedItems items (more are not weighed: plan
// creation stays quick whatever the batch).
constexpr double kMaxImbalance = 1.0625;
constexpr int64_t kMaxBalancedItems = 4096;

// How much more than an equal share the busiest of `threads` threads gets of the items
// (band item, slab) of a staged layer with the blocks in `slabs` equal slabs, slab fastest,
// each weighing its band's rows times its slab's blocks, as for_each_share gives them out (1 is
// even).
double busiest_share(const GroupedNchwState& s, const ConvDesc& d, int64_t band_items,
                     int64_t slabs, int threads) {
  if (threads <= 1 || band_items > kMaxBalancedItems / slabs) return 1.0;  // not weighed
  const int64_t items = band_items * slabs;
  const int team = int(std::min<int64_t>(threads, items));
  const int64_t slab_blocks = (s.blocks + slabs - 1) / slabs;
  auto weight = [&](int64_t item) {
    const int64_t slab = item % slabs, band = item / slabs % s.bands;
    const Range rows = band_rows(s, d, band);
    const int64_t b0 = slab * slab_blocks, blocks = std::min(s.blocks, b0 + slab_blocks) - b0;
    return double(rows.end - rows.begin) * double(std::max<int64_t>(0, blocks));
  };
  double total = 0, busiest = 0;
  for (int64_t i = 0; i < items; ++i) total += weight(i);
  for (int t = 0; t < team; ++t) {
    const Range r = split_range(items, team, t);
    double work = 0;
    for (int64_t i = r.begin; i < r.end; ++i) work += weight(i);
    busiest = std::max(busiest, work);
  }
  return total > 0 ? busiest * team / total : 1.0;
}

GroupedNchwState make_state(const ConvDesc& d, int threads, std::size_t limit, Isa isa) {
  GroupedNchwState s;
  const MicroKernel& kernel = micro_kernel();
  s.vector_floats = isa_vector_floats(isa);
  s.max_vectors = depthwise_kernels(isa).grouped_nchw_max_vectors;
  s.blocks = (d.Mg() + kNchwBlock - 1) / kNchwBlock;
  s.in_place =
      d.KH == 1 && d.KW == 1 && d.stride_one() && d.no_padding() && d.H * d.W >= s.vector_floats;
  const int64_t width = s.vector_floats * s.max_vectors;  // positions of the widest tile
  if (s.in_place) {
    // Bands of whole tiles, so that each thread has several; the last band ends at the plane's
    // end (its last vector moved back there) and holds a vector at least.
    s.pitch = d.Wo;
    const int64_t tiles = (d.H * d.W + width - 1) / width;
    s.bands = std::max<int64_t>(1, std::min((d.H * d.W) / s.vector_floats, tiles));
    s.taps = {0};
  } else {
    s.row_phases = stride_phases(d.KH, d.DH, d.SH);
    s.col_phases = stride_phases(d.KW, d.DW, d.SW);
    const int64_t extra_rows = (d.KH - 1) * d.DH / d.SH, extra_cols = (d.KW - 1) * d.DW / d.SW;
    s.pitch = d.Wo + extra_cols;
    const int64_t segments = s.row_phases * s.col_phases;
    const std::size_t budget = std::min(
        {kStageCapBytes, std::size_t(kernel.mc * kernel.kc) * sizeof(float), limit / threads});
    auto bytes_for = [&](int64_t rows) {
      return stage_bytes(d.Cg(), segments * (rows + extra_rows) * s.pitch);
    };
    s.rows = 1;
    while (s.rows < d.Ho && bytes_for(s.rows + 1) <= budget) ++s.rows;
    s.bands = (d.Ho + s.rows - 1) / s.rows;
    s.rows = (d.Ho + s.bands - 1) / s.bands;  // the longest of bands differing by a row at most
    s.staged_rows = s.rows + extra_rows;
    s.plane_block = segments * s.staged_rows * s.pitch;
    s.stage_bytes = stage_bytes(d.Cg(), s.plane_block);
    for (int64_t ky = 0; ky < d.KH; ++ky)
      for (int64_t kx = 0; kx < d.KW; ++kx)
        s.taps.push_back(
            staged_row_offset(d, ky, s.row_phases, s.col_phases, s.staged_rows, s.pitch) +
            staged_col_offset(d, kx, s.col_phases, s.staged_rows, s.pitch));
  }
  // Input channels in passes whose tile input fits twice the share of L1 BLIS gives its
  // kernel's B micro-panel (2 x KC x NR floats: measured faster than once, where a 1x1 layer
  // with 64 channels then needs no second pass); the sums of a slab's blocks wait between
  // passes, in at most kPartialCapBytes (more blocks go in more slabs).
  const int64_t window = width + *std::max_element(s.taps.begin(), s.taps.end());
  const int64_t l1_floats = 2 * kernel.kc * kernel.nr;
  s.chunk = std::clamp<int64_t>(l1_floats / window, 1, d.Cg());
  const int64_t block_partial_bytes = kNchwBlock * width * int64_t(sizeof(float));
  s.slab_blocks = s.blocks;
  if (s.chunk < d.Cg())
    s.slab_blocks = std::clamp<int64_t>(kPartialCapBytes / block_partial_bytes, 1, s.blocks);
  // With fewer than two band items per thread the output channels are cut into more slabs.
  const int64_t band_items =
      int64_t(checked_product(std::size_t(d.N), std::size_t(d.G), std::size_t(s.bands)));
  if (band_items < 2 * threads)
    s.slab_blocks = std::min(s.slab_blocks,
                             std::max<int64_t>(1, s.blocks * band_items / (2 * int64_t(threads))));
  s.slabs = (s.blocks + s.slab_blocks - 1) / s.slab_blocks;
  // Then, staged, into more still while the threads' shares of the items are uneven (5 bands
  // for 2 threads: one thread would do 3 of them); only counts the blocks divide into equal
  // slabs. Each slab reads the staged band again from cache; in place, each would read the
  // input planes again (measured slower than the uneven shares on a 28x28 1x1 layer).
  const int64_t first_slabs = s.slabs;
  double best = s.in_place ? 1.0 : busiest_share(s, d, band_items, s.slabs, threads);
  for (int64_t slabs = first_slabs + 1;
       best > kMaxImbalance && slabs <= 4 * first_slabs && slabs <= s.blocks &&
       band_items <= kMaxBalancedItems / slabs;
       ++slabs) {
    const int64_t slab_blocks = (s.blocks + slabs - 1) / slabs;
    if ((s.blocks + slab_blocks - 1) / slab_blocks != slabs) continue;
    const double busiest = busiest_share(s, d, band_items, slabs, threads);
    if (busiest < best - 1e-9) {
      best = busiest;
      s.slabs = slabs;
    }
  }
  s.slab_blocks = (s.blocks + s.slabs - 1) / s.slabs;  // equal slabs
  s.partial_bytes =
      s.chunk < d.Cg() ? std::size_t(s.slab_blocks * block_partial_bytes) : std::size_t(0);
  // Under a tight limit, one pass over the channels before fewer rows.
  if (s.stage_bytes + s.partial_bytes > limit / std::size_t(threads)) {
    s.chunk = d.Cg();
    s.partial_bytes = 0;
  }
  s.thread_bytes = s.stage_bytes + s.partial_bytes;
  s.items = int64_t(checked_mul(std::size_t(band_items), std::size_t(s.slabs)));
  s.threads_bytes = checked_mul(std::size_t(std::min<int64_t>(threads, s.items)), s.thread_bytes);
  return s;
}

bool supports(const ConvDesc& d) {
  if (d.layout != Layout::NCHW) return false;
  try {
    const GroupedNchwState s = make_state(d, 1, SIZE_MAX, selected_isa());
    return s.in_place || !staging_dominates(std::size_t(s.plane_block), s.rows * d.Wo, d.taps());
  } catch (const Failure&) {
    return true;  // the workspace query reports the overflow
  }
}

std::size_t workspace_bytes(const ConvDesc& d, int threads, std::size_t limit) {
  return make_state(d, threads, limit, selected_isa()).workspace_bytes();
}

// Weights per group: `blocks` blocks of [C'][KH * KW][kNchwBlock], zero for the channels past
// the group's last.
void prepare(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  plan.isa = selected_isa();
  auto state = std::make_unique<GroupedNchwState>(
      make_state(d, plan.threads, plan.workspace_limit, plan.isa));
  const int64_t blocks = state->blocks, block_floats = d.Cg() * d.taps() * kNchwBlock;
  plan.state = std::move(state);
  plan.filter = AlignedBuffer(
      checked_product(std::size_t(d.G), std::size_t(blocks), std::size_t(block_floats)));
  float* packed = plan.filter.data();
  for (std::size_t i = 0; i < plan.filter.size(); ++i) packed[i] = 0.0f;
  for (int64_t m = 0; m < d.M; ++m) {
    const int64_t g = m / d.Mg(), k = m % d.Mg();
    float* block = packed + (g * blocks + k / kNchwBlock) * block_floats + k % kNchwBlock;
    for (int64_t c = 0; c < d.Cg(); ++c)
      for (int64_t ky = 0; ky < d.KH; ++ky)
        for (int64_t kx = 0; kx < d.KW; ++kx)
          block[((c * d.KH + ky) * d.KW + kx) * kNchwBlock] = filter.at(m, c, ky, kx);
  }
}

// The flat positions of a staged band of `rows` output rows: each row's pitch but the last's.
int64_t staged_positions(const GroupedNchwState& s, const ConvDesc& d, int64_t rows) {
  return (rows - 1) * s.pitch + d.Wo;
}

// A band's positions in vectors, and the tiles of the widest width that take them (the vectors
// are shared out evenly between the tiles).
struct TileSplit {
  int64_t vectors, tiles;
};
TileSplit tile_split(const GroupedNchwState& s, int64_t positions) {
  const int64_t vectors = (positions + s.vector_floats - 1) / s.vector_floats;
  return {vectors, (vectors + s.max_vectors - 1) / s.max_vectors};
}

// Band b of `bands` over `positions` in place: whole vectors, the last band to the end.
Range in_place_band(int64_t positions, int64_t bands, int64_t b, int64_t v) {
  const int64_t vectors = positions / v;
  return {b * vectors / bands * v, b + 1 == bands ? positions : (b + 1) * vectors / bands * v};
}

void run(const Plan& plan, const float* input, float* output, float* workspace) {
  const ConvDesc& d = plan.desc;
  const GroupedNchwState& s = plan.state_as<GroupedNchwState>();
  const DepthwiseKernels& kernels = depthwise_kernels(plan.isa);
  const int64_t v = s.vector_floats, cg = d.Cg(), mg = d.Mg();
  const int64_t plane_in = d.H * d.W, plane_out = d.Ho * d.Wo;
  const int64_t block_floats = cg * d.taps() * kNchwBlock;
  for_each_share(plan.team(), s.items, [&](Range share, int thread) {
    char* mine = reinterpret_cast<char*>(workspace) + std::size_t(thread) * s.thread_bytes;
    float* stage = reinterpret_cast<float*>(mine);
    if (!s.in_place)
      for (int64_t i = 0; i < kNchwSlackFloats; ++i) stage[cg * s.plane_block + i] = 0.0f;
    int64_t staged = -1;  // the (image, group, band) whose input is in the stage
    NchwBandStage staging;
    staging.stage = stage;
    staging.planes = cg;
    staging.plane = plane_in;
    staging.block = s.plane_block;
    staging.col0 = 0;
    staging.row_phases = s.row_phases;
    staging.col_phases = s.col_phases;
    staging.staged_rows = s.staged_rows;
    staging.pitch = s.pitch;
    staging.g = window_geometry(d);
    GroupedNchwTile tile;
    tile.taps = s.taps.data();
    tile.tap_count = int64_t(s.taps.size());
    tile.channels = cg;
    tile.chunk = s.chunk;
    tile.partial = reinterpret_cast<float*>(mine + s.stage_bytes);
    tile.block_floats = block_floats;
    tile.y_channel = plane_out;
    tile.pitch = s.pitch;
    tile.Wo = d.Wo;
    tile.clamp = output_clamp(plan);
    for (int64_t item = share.begin; item < share.end; ++item) {
      const int64_t slab = item % s.slabs, band_item = item / s.slabs;
      const int64_t band = band_item % s.bands, g = band_item / s.bands % d.G;
      const int64_t n = band_item / s.bands / d.G;
      const int64_t b0 = slab * s.slab_blocks, b1 = std::min(s.blocks, b0 + s.slab_blocks);
      if (b0 >= b1) continue;
      const float* x = input + (n * d.C + g * cg) * plane_in;
      float* y = output + (n * d.M + g * mg) * plane_out;
      int64_t positions = 0;  // in the band
      if (s.in_place) {
        const Range r = in_place_band(plane_in, s.bands, band, v);
        tile.x = x + r.begin;
        tile.c_stride = plane_in;
        tile.y = y + r.begin;
        positions = r.end - r.begin;
      } else {
        const Range band_range = band_rows(s, d, band);
        const int64_t row0 = band_range.begin, rows = band_range.end - band_range.begin;
        if (staged != band_item) {
          staging.x = x;
          staging.row0 = row0;
          kernels.nchw_stage_planes(staging);
          staged = band_item;
        }
        tile.x = stage;
        tile.c_stride = s.plane_block;
        tile.y = y + row0 * d.Wo;
        positions = staged_positions(s, d, rows);
      }
      tile.positions = positions;
      tile.weights = plan.filter.data() + (g * s.blocks + b0) * block_floats;
      tile.blocks = b1 - b0;
      tile.last_channels = std::min<int64_t>(kNchwBlock, mg - (b1 - 1) * kNchwBlock);
      tile.bias = plan.has_bias() ? plan.bias.data() + g * mg + b0 * kNchwBlock : nullptr;
      tile.y += b0 * kNchwBlock * plane_out;
      const TileSplit split = tile_split(s, positions);
      int64_t next = 0;
      for (int64_t t = 0; t < split.tiles; ++t) {
        const int64_t end = (t + 1) * split.vectors / split.tiles;
        tile.vectors = end - next;
        for (int64_t p = 0; p < tile.vectors; ++p) {
          int64_t q = (next + p) * v;
          // In place, a last vector past the band's end moves back to end at it (outputs before
          // it are computed twice, the same way).
          if (s.in_place && q + v > positions) q = positions - v;
          tile.offsets[p] = q;
        }
        kernels.grouped_nchw_tile(tile);
        next = end;
      }
    }
  });
}

// The share of its rate the loop keeps on ISAs whose widest tile is narrower than AVX-512's
// (16 vector registers: 3 x 4 sums, 1.7 multiply-adds per load against 2.4), fitted against
// tiled-nchw on BLIS's AVX2 kernel over the NCHW layers of the four dense networks at 1 and 2
// threads (AUTO's choice then within 1.016x of the faster of the two at both).
constexpr double kNarrowTileShare = 0.8;

// The fraction of its rate the loop keeps, from the plan's own geometry: the useful lanes of a
// band's position vectors, the useful channels of its weight blocks, the width of its tiles (a
// band held to few positions by its stage, as on 3x3 layers with 512 channels, gives tiles of
// two vectors: four broadcasts then feed eight multiply-adds instead of 24, measured about 1.7x
// slower than full tiles), and kNarrowTileShare on ISAs with narrower tiles than AVX-512's.
double kernel_fit(const ConvDesc& d, int) {
  const GroupedNchwState s = make_state(d, 1, SIZE_MAX, selected_isa());
  const double channels = double(d.Mg()) / double(s.blocks * kNchwBlock);
  const int64_t positions = s.in_place ? d.H * d.W : staged_positions(s, d, s.rows);
  const int64_t outputs = s.in_place ? positions : s.rows * d.Wo;
  const TileSplit split = tile_split(s, positions);
  const double lanes = double(outputs) / double(split.vectors * s.vector_floats);
  const double width = double(split.vectors) / double(split.tiles * s.max_vectors);
  const double isa = s.max_vectors < kNchwMaxVectors ? kNarrowTileShare : 1.0;
  return lanes * channels * std::sqrt(width) * isa;
}

}  // namespace

extern const Algorithm kGroupedNchw = {
    "grouped-nchw", supports, workspace_bytes, prepare, run, kernel_fit,
};

}  // namespace gemmconv
