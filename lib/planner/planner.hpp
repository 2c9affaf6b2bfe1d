// AUTO: which algorithm a plan runs, and the record of what was considered and why.
#pragma once

#include <cstddef>
#include <vector>

#include "../base/status.hpp"
#include "../conv/desc.hpp"
#include "../plan.hpp"

namespace gemmconv {

struct Choice {
  int algo_id = 0;
  std::vector<Candidate> candidates;  // every registered algorithm, in registry order
};

// Every algorithm judged against the descriptor and budget; the cheapest eligible one chosen,
// by estimate, or by timing on scratch data when options.flags has the MEASURE bit.
// `filter` and `bias` (may be null) are the caller's: the timed plans are built with them and
// with the options' clamp, so that MEASURE times the epilogue the plan will run.
Choice choose_algorithm(const ConvDesc& desc, const float* filter, const float* bias, int threads,
                        const PlanOptions& options);

}  // namespace gemmconv
