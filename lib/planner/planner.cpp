#include "planner.hpp"

#include <algorithm>
#include <chrono>

#include "../algorithms/make_plan.hpp"
#include "../algorithms/registry.hpp"
#include "../base/checked.hpp"
#include "measured_model.hpp"

namespace gemmconv {

namespace {

// The cost model: the convolution's FLOPs at the rate the algorithm was measured to reach on
// real layers (measured_model.cpp: a median, so it carries each algorithm's typical packing,
// copying and call overheads) scaled by its record's shape factor, plus the part of its
// workspace that cannot stay in a core's caches (the tiled kernels' packing buffers never pay)
// written and read once per image and group at main-memory bandwidth.
double estimate_seconds(const Algorithm& a, const ConvDesc& d, int threads, std::size_t workspace) {
  const MeasuredModel& m = kMeasuredModel;
  const double flops = 2.0 * conv_macs(d), t = double(threads);
  const double rate = m.reference_flops_per_second * t * measured_percent(a.name) / 100.0 *
                      a.shape_factor(d, threads);
  const double cached = t * double(m.cached_bytes_per_thread);
  const double spilled = double(workspace) > cached ? double(workspace) - cached : 0.0;
  const double traffic = 2.0 * spilled * double(d.N) * double(d.G);
  return flops / rate + traffic / m.memory_bytes_per_second;
}

double now_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

// MEASURE times only the candidates the model puts within this factor of its best guess: the
// model is never that far off on the shapes measured (within 1.12x), and the half second then
// goes to repeating the real contenders instead of timing `direct`.
constexpr double kMeasureWithin = 3.0;
// Timing budget for all candidates together, and how many rounds are enough.
constexpr double kMeasureBudgetSeconds = 0.5;
constexpr int kMeasureRounds = 9;
// How much faster than the model's favourite a timed candidate must be to replace it.
constexpr double kMeasureMargin = 1.03;

// Times the candidates `ids` on one image of scratch data, interleaved: after a warm-up round,
// rounds of one run of each, until kMeasureRounds rounds or the budget is spent (at least one
// round). Interleaving exposes every candidate to the same machine state (frequency, other
// processes); each keeps its fastest run. All scratch memory is freed on return.
std::vector<double> time_on_scratch(const ConvDesc& desc, const std::vector<int>& ids,
                                    const float* filter, const float* bias, int threads,
                                    const PlanOptions& options) {
  ConvDesc one = desc;
  one.N = 1;
  finalize_desc(one);
  std::vector<std::unique_ptr<Plan>> plans;
  std::size_t workspace_bytes = 0;
  for (int id : ids) {
    // Under the caller's workspace_limit: the tiled algorithms size their blocks to it, and the
    // plan timed must be the one AUTO then builds (one image never needs more than the batch).
    plans.push_back(make_plan(one, id, filter, bias, threads, options));
    workspace_bytes = std::max(workspace_bytes, plans.back()->workspace_bytes);
  }
  AlignedBuffer input(std::size_t(one.in_image())), output(std::size_t(one.out_image()));
  AlignedBuffer workspace(workspace_bytes / sizeof(float) + 1);
  for (std::size_t i = 0; i < input.size(); ++i) input.data()[i] = float(i % 17) * 0.125f - 1.0f;
  for (const auto& plan : plans) run_plan(*plan, input.data(), output.data(), workspace.data());
  std::vector<double> best(ids.size(), 1e30);
  const double start = now_seconds();
  for (int round = 0; round < kMeasureRounds; ++round) {
    for (std::size_t i = 0; i < plans.size(); ++i) {
      const double t0 = now_seconds();
      run_plan(*plans[i], input.data(), output.data(), workspace.data());
      best[i] = std::min(best[i], now_seconds() - t0);
    }
    if (now_seconds() - start > kMeasureBudgetSeconds) break;
  }
  for (double& b : best) b *= double(desc.N);
  return best;
}

}  // namespace

Choice choose_algorithm(const ConvDesc& desc, const float* filter, const float* bias, int threads,
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
        c.workspace_bytes = a.workspace_bytes(desc, threads, options.workspace_limit);
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

  auto better = [&](const Candidate& c, bool measured) {
    const double mine = measured ? c.measured_seconds : c.estimated_seconds;
    if (choice.algo_id == 0) return true;
    const Candidate& best = choice.candidates[std::size_t(choice.algo_id - 1)];
    return mine < (measured ? best.measured_seconds : best.estimated_seconds);
  };
  for (const Candidate& c : choice.candidates)
    if (c.verdict == Status::Success && better(c, false)) choice.algo_id = c.algo_id;
  if ((options.flags & kFlagMeasure) == 0) return choice;

  const double best_estimate = choice.candidates[std::size_t(choice.algo_id - 1)].estimated_seconds;
  std::vector<int> timed;
  for (const Candidate& c : choice.candidates)
    if (c.verdict == Status::Success && c.estimated_seconds <= kMeasureWithin * best_estimate)
      timed.push_back(c.algo_id);
  const std::vector<double> seconds = time_on_scratch(desc, timed, filter, bias, threads, options);
  const int favourite = choice.algo_id;
  choice.algo_id = 0;
  for (std::size_t i = 0; i < timed.size(); ++i) {
    Candidate& c = choice.candidates[std::size_t(timed[i] - 1)];
    c.measured_seconds = seconds[i];
    if (better(c, true)) choice.algo_id = c.algo_id;
  }
  // A timing at plan creation moves by a few percent from run to run: the model's favourite
  // keeps its place unless another candidate beat it by more than that.
  const double fastest = choice.candidates[std::size_t(choice.algo_id - 1)].measured_seconds;
  if (choice.candidates[std::size_t(favourite - 1)].measured_seconds <= kMeasureMargin * fastest)
    choice.algo_id = favourite;
  return choice;
}

}  // namespace gemmconv
