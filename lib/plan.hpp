// A plan: one validated convolution, its algorithm, thread count, packed filter and epilogue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/aligned_buffer.hpp"
#include "base/status.hpp"
#include "conv/desc.hpp"
#include "simd/isa.hpp"

namespace gemmconv {

struct Algorithm;

constexpr unsigned kFlagMeasure = 0x1;  // GEMMCONV_FLAG_MEASURE

// What the caller asked for, already checked for range by capi/.
struct PlanOptions {
  int algo = 0;  // 0 = AUTO, else a registry id (1-based)
  int threads = 0;
  unsigned flags = 0;
  std::size_t workspace_limit = SIZE_MAX;
  float output_min = -__builtin_inff(), output_max = __builtin_inff();
};

// One algorithm as AUTO judged it for a descriptor.
struct Candidate {
  int algo_id = 0;
  Status verdict = Status::Success;  // Success: eligible; Unsupported, OverBudget, Overflow: not
  std::size_t workspace_bytes = 0;
  double estimated_seconds = -1;  // the cost model's guess; < 0 when not estimated
  double measured_seconds = -1;   // GEMMCONV_FLAG_MEASURE's timing; < 0 when not measured
};

// What an algorithm decides once for a plan (its tiling, blocking, packing mode): its record's
// prepare() sets it before packing the filter for it, and execute reads the same object, so the
// packed filter and the run agree by construction. Records with such a configuration derive
// from this.
struct PlanState {
  virtual ~PlanState() = default;
  // Exact workspace bytes the plan's execute needs.
  virtual std::size_t workspace_bytes() const = 0;
  // Bytes this configuration occupies (counted as persistent memory).
  virtual std::size_t bytes() const = 0;
};

struct Plan {
  ConvDesc desc;
  int algo_id = 0;
  const Algorithm* algo = nullptr;
  int threads = 1;
  // options.workspace_limit: prepare() sizes the algorithm's configuration under it, as its
  // record's workspace_bytes() did.
  std::size_t workspace_limit = SIZE_MAX;
  std::size_t workspace_bytes = 0;
  AlignedBuffer filter;     // packed by the algorithm's prepare(), in its own format
  AlignedBuffer bias;       // [M], empty when the caller gave none
  Isa isa = Isa::Baseline;  // the variant of our own vectorised kernels the filter is packed for
  float output_min = -__builtin_inff(), output_max = __builtin_inff();
  std::vector<Candidate> candidates;       // what AUTO considered; empty for a named algorithm
  std::unique_ptr<const PlanState> state;  // the algorithm's configuration, or null

  template <typename T>
  const T& state_as() const {
    return static_cast<const T&>(*state);
  }

  bool has_bias() const { return !bias.empty(); }
  bool has_clamp() const {
    return output_min != -__builtin_inff() || output_max != __builtin_inff();
  }
  float clamp(float y) const {
    return y < output_min ? output_min : (y > output_max ? output_max : y);
  }
  std::size_t persistent_bytes() const;
  // The threads the execute running on the calling thread may use (parallel/team.hpp): at most
  // `threads`. Algorithms size their workspace for `threads` and run on team().
  int team() const;
};

}  // namespace gemmconv
