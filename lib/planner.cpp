#include "planner.hpp"

#include <algorithm>
#include <chrono>

#include "algorithms/registry.hpp"
#include "conv/checked.hpp"

namespace gemmconv {

namespace {

// The cost model: the convolution's FLOPs at the share of the micro-kernel's rate the
// algorithm is known to reach (its record's expected_efficiency), plus the part of its
// workspace that cannot stay in a core's caches (beyond 1 MiB a thread: the tiled kernels'
// packing buffers never pay) written and read once per image and group at main-memory
// bandwidth. Rates are this project's measurements on an AVX2 core (about 100 GFLOP/s in
// cache, 20 GB/s); only their ratios decide.
double estimate_seconds(const Algorithm& a, const ConvDesc& d, int threads, std::size_t workspace) {
  const double flops = 2.0 * conv_macs(d), t = double(threads);
  const double rate = 100e9 * t * a.expected_efficiency / 100.0;
  const double cached = double(threads) * (1 << 20);
  const double spilled = double(workspace) > cached ? double(workspace) - cached : 0.0;
  const double traffic = 2.0 * spilled * double(d.N) * double(d.G);
  return flops / rate + traffic / 20e9;
}

double now_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

// Times one algorithm on one image of scratch data: a warm-up run, then up to five timed runs
// while the time budget lasts (at least one). Returns the fastest run.
double time_on_scratch(const ConvDesc& desc, int algo_id, const float* filter, int threads,
                       double budget_seconds) {
  ConvDesc one = desc;
  one.N = 1;
  finalize_desc(one);
  PlanOptions named;
  named.algo = algo_id;
  named.threads = threads;
  const std::unique_ptr<Plan> plan = create_plan(one, filter, nullptr, named);
  AlignedBuffer input(std::size_t(one.in_image())), output(std::size_t(one.out_image()));
  AlignedBuffer workspace(plan->workspace_bytes / sizeof(float));
  for (std::size_t i = 0; i < input.size(); ++i) input.data()[i] = float(i % 17) * 0.125f - 1.0f;
  execute_plan(*plan, input.data(), output.data(), workspace.data());
  double best = 1e30;
  const double start = now_seconds();
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = now_seconds();
    execute_plan(*plan, input.data(), output.data(), workspace.data());
    best = std::min(best, now_seconds() - t0);
    if (now_seconds() - start > budget_seconds) break;
  }
  return best * double(desc.N);
}

}  // namespace

Choice choose_algorithm(const ConvDesc& desc, const float* filter, int threads,
                        const PlanOptions& options) {
  Choice choice;
  int eligible = 0;
  for (int id = 1; id <= algorithm_count(); ++id) {
    const Algorithm& a = *algorithm_by_id(id);
    Candidate c;
    c.algo_id = id;
    if (!a.supports(desc)) {
      c.verdict = Status::Unsupported;
    } else {
      try {
        c.workspace_bytes = a.workspace_bytes(desc, threads);
        if (c.workspace_bytes > options.workspace_limit) c.verdict = Status::OverBudget;
      } catch (const Failure& f) {
        if (f.status() != Status::Overflow) throw;
        c.verdict = Status::Overflow;
      }
    }
    if (c.verdict == Status::Success) {
      c.estimated_seconds = estimate_seconds(a, desc, threads, c.workspace_bytes);
      ++eligible;
    }
    choice.candidates.push_back(c);
  }
  if (eligible == 0) fail(Status::OverBudget);

  const bool measure = (options.flags & kFlagMeasure) != 0;
  // About half a second for all the timing, shared out; each candidate runs at least once.
  const double budget = 0.5 / eligible;
  auto cost = [&](const Candidate& c) {
    return measure ? c.measured_seconds : c.estimated_seconds;
  };
  for (Candidate& c : choice.candidates) {
    if (c.verdict != Status::Success) continue;
    if (measure) c.measured_seconds = time_on_scratch(desc, c.algo_id, filter, threads, budget);
    if (choice.algo_id == 0 || cost(c) < cost(choice.candidates[choice.algo_id - 1]))
      choice.algo_id = c.algo_id;
  }
  return choice;
}

}  // namespace gemmconv
