// Runs a body over a static split of work items among a plan's threads, without entering a
// parallel region when one thread does the work (libgomp allocates a team for every region).
#pragma once

#include <cstdint>

#include "threads.hpp"

namespace gemmconv {

// Calls body(thread_index, team_size) on each thread of a team of at most `threads`; on the
// calling thread alone (no parallel region) when that is one.
template <typename Body>
void run_team(int threads, Body&& body) {
  if (threads <= 1) {
    body(0, 1);
    return;
  }
#pragma omp parallel num_threads(threads)
  body(current_thread_index(), current_team_size());
}

// Calls body(range, thread_index) once per thread of a team of at most min(threads, items)
// threads, each with its contiguous share of [0, items). `threads` is what the execute was
// granted (Plan::team()), one already inside a caller's parallel region.
template <typename Body>
void for_each_share(int threads, int64_t items, Body&& body) {
  if (items <= 0) return;
  const int team = threads < items ? threads : static_cast<int>(items);
  run_team(team,
           [&](int index, int team_size) { body(split_range(items, team_size, index), index); });
}

}  // namespace gemmconv
