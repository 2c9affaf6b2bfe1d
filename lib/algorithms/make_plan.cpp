#include "make_plan.hpp"

#include <cstring>

#include "../parallel/team.hpp"
#include "registry.hpp"

namespace gemmconv {

std::unique_ptr<Plan> make_plan(const ConvDesc& desc, int algo_id, const float* filter,
                                const float* bias, int threads, const PlanOptions& options,
                                std::vector<Candidate> candidates) {
  const Algorithm* a = algorithm_by_id(algo_id);
  if (a == nullptr) fail(Status::InvalidArgument);
  if (!a->supports(desc)) fail(Status::Unsupported);
  const std::size_t workspace = a->workspace_bytes(desc, threads, options.workspace_limit);
  if (workspace > options.workspace_limit) fail(Status::OverBudget);

  auto plan = std::make_unique<Plan>();
  plan->desc = desc;
  plan->algo_id = algo_id;
  plan->algo = a;
  plan->threads = threads;
  plan->workspace_limit = options.workspace_limit;
  plan->workspace_bytes = workspace;
  plan->output_min = options.output_min;
  plan->output_max = options.output_max;
  plan->candidates = std::move(candidates);
  if (bias != nullptr) {
    plan->bias = AlignedBuffer(static_cast<std::size_t>(desc.M));
    std::memcpy(plan->bias.data(), bias, plan->bias.bytes());
  }
  a->prepare(*plan, FilterView{filter, &plan->desc});
  // A configured plan sizes its workspace from the configuration it runs with; it is the same
  // computation as the record's workspace_bytes(), which AUTO and the budget check used.
  if (plan->state && plan->state->workspace_bytes() != workspace) fail(Status::Internal);
  return plan;
}

void run_plan(const Plan& plan, const float* input, float* output, void* workspace) {
  const ExecuteTeam team(plan.threads);
  plan.algo->run(plan, input, output, static_cast<float*>(workspace));
}

}  // namespace gemmconv
