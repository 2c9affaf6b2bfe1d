// AUTO: which algorithm a plan runs, and the record of what was considered and why.
#pragma once

#include <cstddef>
#include <vector>

#include "conv/desc.hpp"
#include "plan.hpp"
#include "status.hpp"

namespace gemmconv {

struct Choice {
  int algo_id = 0;
  std::vector<Candidate> candidates;  // every registered algorithm, in registry order
};

// Every algorithm judged against the descriptor and budget; the cheapest eligible one chosen,
// by estimate, or by timing on scratch data when options.flags has the MEASURE bit.
// `filter` is the caller's (used only to build the plans that are timed).
Choice choose_algorithm(const ConvDesc& desc, const float* filter, int threads,
                        const PlanOptions& options);

}  // namespace gemmconv
