// AUTO's cost model in numbers: every measured rate and constant in one table, which
// bench/refit_rates.py rewrites from the bench's results.
#pragma once

#include <cstddef>

namespace gemmconv {

struct MeasuredModel {
  // The rate of the reference core the percentages below are of, and the main-memory bandwidth
  // workspace beyond the caches is charged at.
  double reference_flops_per_second;
  double memory_bytes_per_second;
  // Workspace a thread's caches hold: only what goes beyond it is charged.
  std::size_t cached_bytes_per_thread;
};

extern const MeasuredModel kMeasuredModel;

// The GFLOP/s per thread algorithm `name` reaches on the layers it is made for, in percent of
// the reference rate. Throws Failure(Internal) for an algorithm the table lacks.
int measured_percent(const char* name);

}  // namespace gemmconv
