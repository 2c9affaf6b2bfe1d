// Thread counts: the one place that asks OpenMP (or its absence) how many threads there are.
#pragma once

#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace gemmconv {

// Largest thread count a plan accepts; more is certainly a mistake (and would make the
// per-thread workspace meaningless).
constexpr int kMaxThreads = 1024;

inline int default_thread_count() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

inline int current_thread_index() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

// Threads in the current team: 1 outside a parallel region or without OpenMP, and possibly
// fewer than a num_threads clause asked for.
inline int current_team_size() {
#ifdef _OPENMP
  return omp_get_num_threads();
#else
  return 1;
#endif
}

// Splits [0, total) into `parts` contiguous ranges as evenly as possible; part p gets
// [begin, end). A static partition, so a given thread count always splits the same way.
struct Range {
  int64_t begin, end;
};
inline Range split_range(int64_t total, int64_t parts, int64_t p) {
  const int64_t base = total / parts, extra = total % parts;
  const int64_t begin = p * base + (p < extra ? p : extra);
  return {begin, begin + base + (p < extra ? 1 : 0)};
}

}  // namespace gemmconv
