#include "library.hpp"

#include "algorithms/make_plan.hpp"
#include "algorithms/registry.hpp"
#include "blis/arch.hpp"
#include "parallel/threads.hpp"
#include "planner/planner.hpp"

namespace gemmconv {

std::unique_ptr<Plan> create_plan(const ConvDesc& desc, const float* filter, const float* bias,
                                  const PlanOptions& options) {
  ensure_blis_ready();
  const int threads = options.threads > 0 ? options.threads : default_thread_count();
  if (options.algo != 0) return make_plan(desc, options.algo, filter, bias, threads, options);
  Choice choice = choose_algorithm(desc, filter, bias, threads, options);
  return make_plan(desc, choice.algo_id, filter, bias, threads, options,
                   std::move(choice.candidates));
}

void execute_plan(const Plan& plan, const float* input, float* output, void* workspace) {
  run_plan(plan, input, output, workspace);
}

const char* algorithm_name(int id) {
  const Algorithm* a = algorithm_by_id(id);
  return a != nullptr ? a->name : nullptr;
}

}  // namespace gemmconv
