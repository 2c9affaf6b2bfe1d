// A plan for one named algorithm, and its run: what AUTO's timing and a caller's named choice
// both build on.
#pragma once

#include <memory>
#include <vector>

#include "../conv/desc.hpp"
#include "../plan.hpp"

namespace gemmconv {

// Checks that algorithm `algo_id` computes `desc` within options.workspace_limit, then builds
// its plan for `threads` threads: copies the bias, packs the filter. `candidates` is what AUTO
// considered (empty for a named algorithm). Throws Failure.
std::unique_ptr<Plan> make_plan(const ConvDesc& desc, int algo_id, const float* filter,
                                const float* bias, int threads, const PlanOptions& options,
                                std::vector<Candidate> candidates = {});

// Runs the plan on the threads this call is granted (parallel/team.hpp); the caller has checked
// pointers, overlap and workspace size and alignment.
void run_plan(const Plan& plan, const float* input, float* output, void* workspace);

}  // namespace gemmconv
