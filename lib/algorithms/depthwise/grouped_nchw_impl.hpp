// The grouped channels-first loops (any groups, one too): included by kernels_impl.hpp inside
// its per-ISA namespace, after the helpers it defines (load, store, splat, clamp, stage_plane).
//
// Summation order: every output starts from its bias and adds, input channel by input channel,
// its taps in (ky, kx) order, whatever the tile, band or thread that computes it.

// Tiles as wide as the registers allow: kNchwBlock x P sums, P input vectors and a broadcast
// weight (32 registers with AVX-512: 4 x 6 + 6 + 1; 16 otherwise: 4 x 3 + 3 + 1).
constexpr int kGroupedNchwVectors = V == 16 ? 6 : 3;
static_assert(kGroupedNchwVectors <= kNchwMaxVectors, "a tile wider than the job describes");

void nchw_stage_planes(const NchwBandStage& j) {
  for (int64_t c = 0; c < j.planes; ++c)
    stage_plane(j.x + c * j.plane, j.stage + c * j.block, j.row0, j.col0, j.row_phases,
                j.col_phases, j.staged_rows, j.pitch, j.g);
}

// Writes the sums of one output channel: tile lane i is band position offsets[i / V] + i % V.
template <int P>
inline void write_channel(const GroupedNchwTile& j, const vec* sums, float* y) {
  if (j.pitch == j.Wo) {
    // Band positions are output positions: whole vectors straight, a last one cut short.
    for (int p = 0; p < P; ++p) {
      const int64_t q = j.offsets[p], left = j.positions - q;
      if (left >= V) {
        store(y + q, sums[p]);
      } else {
        for (int64_t l = 0; l < left; ++l) y[q + l] = sums[p][l];
      }
    }
    return;
  }
  // A staged band's tile is one run of positions (no vector is moved back there): its row
  // pieces are copied, the columns past each row's end skipped.
  float lanes[P * V];
  for (int p = 0; p < P; ++p) store(lanes + p * V, sums[p]);
  const int64_t first = j.offsets[0], end = min64(P * V, j.positions - first);
  for (int64_t l = 0; l < end;) {
    const int64_t q = first + l, row = q / j.pitch, col = q - row * j.pitch;
    if (col >= j.Wo) {
      l += j.pitch - col;
      continue;
    }
    const int64_t run = min64(j.Wo - col, end - l);
    __builtin_memcpy(y + row * j.Wo + col, lanes + l, sizeof(float) * run);
    l += run;
  }
}

// The input channels go in passes of `chunk` (whose input stays in L1 while every block of the
// job reads it); between passes the sums wait in `partial`.
template <int P, bool kOneTap>
void grouped_nchw_tile_for(const GroupedNchwTile& j) {
  constexpr int B = int(kNchwBlock);
  const float* xs[P];
  for (int p = 0; p < P; ++p) xs[p] = j.x + j.offsets[p];
  for (int64_t c0 = 0; c0 < j.channels; c0 += j.chunk) {
    const int64_t c1 = min64(j.channels, c0 + j.chunk);
    for (int64_t b = 0; b < j.blocks; ++b) {
      const float* w = j.weights + b * j.block_floats + c0 * j.tap_count * B;
      const int64_t channels_here = b + 1 < j.blocks ? B : j.last_channels;
      // An offset, not a pointer: `partial` is null when one pass covers every channel.
      const int64_t partial = b * B * P * V;
      vec acc[B][P];
      for (int k = 0; k < B; ++k)
        for (int p = 0; p < P; ++p)
          if (c0 > 0) {
            acc[k][p] = load(j.partial + partial + (k * P + p) * V);
          } else {
            acc[k][p] = splat(j.bias && k < channels_here ? j.bias[b * B + k] : 0.0f);
          }
      auto tap = [&](int64_t at) {
        vec xv[P];
        for (int p = 0; p < P; ++p) xv[p] = load(xs[p] + at);
        for (int k = 0; k < B; ++k) {
          const vec wk = splat(w[k]);
          for (int p = 0; p < P; ++p) acc[k][p] += wk * xv[p];
        }
        w += B;
      };
      if (kOneTap) {
        const int64_t first = j.taps[0];
        for (int64_t c = c0; c < c1; ++c) tap(first + c * j.c_stride);
      } else {
        for (int64_t c = c0; c < c1; ++c) {
          const int64_t plane = c * j.c_stride;
          for (int64_t t = 0; t < j.tap_count; ++t) tap(plane + j.taps[t]);
        }
      }
      if (c1 < j.channels) {
        for (int k = 0; k < B; ++k)
          for (int p = 0; p < P; ++p) store(j.partial + partial + (k * P + p) * V, acc[k][p]);
        continue;
      }
      for (int64_t k = 0; k < channels_here; ++k) {
        vec sums[P];
        for (int p = 0; p < P; ++p) sums[p] = clamp(acc[k][p], j.clamp);
        write_channel<P>(j, sums, j.y + (b * B + k) * j.y_channel);
      }
    }
  }
}

template <bool kOneTap>
void grouped_nchw_tile_taps(const GroupedNchwTile& j) {
  switch (j.vectors) {
#if GEMMCONV_VECTOR_FLOATS == 16
    case 6:
      return grouped_nchw_tile_for<6, kOneTap>(j);
    case 5:
      return grouped_nchw_tile_for<5, kOneTap>(j);
    case 4:
      return grouped_nchw_tile_for<4, kOneTap>(j);
#endif
    case 3:
      return grouped_nchw_tile_for<3, kOneTap>(j);
    case 2:
      return grouped_nchw_tile_for<2, kOneTap>(j);
    default:
      return grouped_nchw_tile_for<1, kOneTap>(j);
  }
}

void grouped_nchw_tile(const GroupedNchwTile& j) {
  if (j.tap_count == 1) return grouped_nchw_tile_taps<true>(j);
  grouped_nchw_tile_taps<false>(j);
}
