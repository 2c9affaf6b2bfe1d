// What the C API calls: plan creation (AUTO or a named algorithm), execution, and the names of
// the algorithms. The top of the library: it uses the planner and the algorithms, nothing uses
// it but capi/.
#pragma once

#include <memory>

#include "conv/desc.hpp"
#include "plan.hpp"

namespace gemmconv {

// Picks (or checks) the algorithm, sizes the workspace, copies bias and packs the filter.
// `desc` must have been through finalize_desc(). Throws Failure.
std::unique_ptr<Plan> create_plan(const ConvDesc& desc, const float* filter, const float* bias,
                                  const PlanOptions& options);

// Runs the plan; the caller has checked pointers, overlap and workspace size/alignment.
void execute_plan(const Plan& plan, const float* input, float* output, void* workspace);

// The algorithms, numbered 1..algorithm_count() in public enum order.
int algorithm_count();
// nullptr when id is not 1..algorithm_count().
const char* algorithm_name(int id);
// 0 when no algorithm has that name.
int algorithm_id_by_name(const char* name);

}  // namespace gemmconv
