#include "plan.hpp"

#include <algorithm>
#include <cstring>

#include "algorithms/registry.hpp"
#include "blis/arch.hpp"
#include "parallel/threads.hpp"

namespace gemmconv {

namespace {

// Whether the workspace of `a` for the descriptor fits `limit`. A workspace whose size overflows
// fits no limit, not even SIZE_MAX: AUTO must pass such a candidate over, not pick it and fail.
bool workspace_fits(const Algorithm& a, const ConvDesc& d, int threads, std::size_t limit) {
  try {
    return a.workspace_bytes(d, threads) <= limit;
  } catch (const Failure& f) {
    if (f.status() == Status::Overflow) return false;
    throw;
  }
}

int choose_automatically(const ConvDesc& d, int threads, std::size_t limit) {
  int best = 0;
  for (int id = 1; id <= algorithm_count(); ++id) {
    const Algorithm& a = *algorithm_by_id(id);
    if (!a.supports(d)) continue;
    if (!workspace_fits(a, d, threads, limit)) continue;
    if (best == 0 || a.auto_preference > algorithm_by_id(best)->auto_preference) best = id;
  }
  if (best == 0) fail(Status::OverBudget);
  return best;
}

}  // namespace

std::unique_ptr<Plan> create_plan(const ConvDesc& desc, const float* filter, const float* bias,
                                  const PlanOptions& options) {
  ensure_blis_ready();
  const int threads = options.threads > 0 ? options.threads : default_thread_count();
  int id = options.algo;
  if (id == 0) {
    id = choose_automatically(desc, threads, options.workspace_limit);
  } else {
    const Algorithm* a = algorithm_by_id(id);
    if (a == nullptr) fail(Status::InvalidArgument);
    if (!a->supports(desc)) fail(Status::Unsupported);
    if (a->workspace_bytes(desc, threads) > options.workspace_limit) fail(Status::OverBudget);
  }

  auto plan = std::make_unique<Plan>();
  plan->desc = desc;
  plan->algo_id = id;
  plan->algo = algorithm_by_id(id);
  plan->threads = threads;
  plan->workspace_bytes = plan->algo->workspace_bytes(desc, threads);
  plan->output_min = options.output_min;
  plan->output_max = options.output_max;
  if (bias != nullptr) {
    plan->bias = AlignedBuffer(static_cast<std::size_t>(desc.M));
    std::memcpy(plan->bias.data(), bias, plan->bias.bytes());
  }
  plan->algo->prepare(*plan, FilterView{filter, &plan->desc});
  return plan;
}

void execute_plan(const Plan& plan, const float* input, float* output, void* workspace) {
  plan.algo->run(plan, input, output, static_cast<float*>(workspace));
}

}  // namespace gemmconv
