#include "plan.hpp"

#include <algorithm>
#include <cstring>

#include "algorithms/registry.hpp"
#include "blis/arch.hpp"
#include "parallel/team.hpp"
#include "parallel/threads.hpp"
#include "planner.hpp"

namespace gemmconv {

std::unique_ptr<Plan> create_plan(const ConvDesc& desc, const float* filter, const float* bias,
                                  const PlanOptions& options) {
  ensure_blis_ready();
  const int threads = options.threads > 0 ? options.threads : default_thread_count();
  int id = options.algo;
  Choice choice;
  if (id == 0) {
    choice = choose_algorithm(desc, filter, bias, threads, options);
    id = choice.algo_id;
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
  plan->candidates = std::move(choice.candidates);
  if (bias != nullptr) {
    plan->bias = AlignedBuffer(static_cast<std::size_t>(desc.M));
    std::memcpy(plan->bias.data(), bias, plan->bias.bytes());
  }
  plan->algo->prepare(*plan, FilterView{filter, &plan->desc});
  return plan;
}

std::size_t Plan::persistent_bytes() const {
  return checked_add(checked_add(sizeof(Plan), filter.bytes()),
                     checked_add(bias.bytes(), checked_mul(candidates.size(), sizeof(Candidate))));
}

int Plan::team() const {
  return granted_threads(threads);
}

void execute_plan(const Plan& plan, const float* input, float* output, void* workspace) {
  const ExecuteTeam team(plan.threads);
  plan.algo->run(plan, input, output, static_cast<float*>(workspace));
}

}  // namespace gemmconv
