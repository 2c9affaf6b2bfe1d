#include "auto_summary.hpp"

#include <algorithm>
#include <vector>

#include <gemmconv.h>

namespace bench {

void AutoSummary::add_layer(const Layer& layer, const std::vector<Result>& results) {
  const Result* fastest = nullptr;
  for (const Result& r : results)
    if (!r.peer && r.timed() && r.algo.compare(0, 4, "auto") != 0 &&
        (!fastest || r.median_ms < fastest->median_ms))
      fastest = &r;
  if (!fastest) return;
  for (const Result& r : results) {
    if (!r.timed() || (r.algo != "auto" && r.algo != "auto-measure")) continue;
    // AUTO runs one of the named algorithms: when it picked the fastest one, any difference
    // is timing noise, so the ratio is 1 by definition.
    const double ratio = r.chosen == fastest->algo ? 1.0 : r.median_ms / fastest->median_ms;
    (r.algo == "auto" ? estimate_ : measure_)
        .push_back({layer.name, r.chosen, fastest->algo, ratio});
  }
}

void AutoSummary::print(std::FILE* out) const {
  struct Line {
    const char* label;
    const std::vector<Ratio>* ratios;
    double within, target_share, never;
  };
  const Line lines[] = {{"AUTO (estimate)", &estimate_, 1.10, 0.90, 1.5},
                        {"AUTO (MEASURE)", &measure_, 1.05, 0.95, 0}};
  bool header = false;
  for (const Line& l : lines) {
    if (l.ratios->empty()) continue;
    if (!header) std::fprintf(out, "\n# AUTO against the fastest algorithm of each layer\n");
    header = true;
    int ok = 0;
    const Ratio* worst = &l.ratios->front();
    for (const Ratio& r : *l.ratios) {
      ok += r.ratio <= l.within;
      if (r.ratio > worst->ratio) worst = &r;
    }
    const double share = double(ok) / double(l.ratios->size());
    std::fprintf(out,
                 "#   %-16s within %.2fx on %d of %zu layers (%.0f%%, target %.0f%%), worst "
                 "%.2fx (%s: chose %s, fastest %s)%s\n",
                 l.label, l.within, ok, l.ratios->size(), 100 * share, 100 * l.target_share,
                 worst->ratio, worst->layer.c_str(), worst->chosen.c_str(), worst->fastest.c_str(),
                 share >= l.target_share && (l.never == 0 || worst->ratio <= l.never)
                     ? "  [met]"
                     : "  [MISSED]");
    for (const Ratio& r : *l.ratios)
      if (r.ratio > l.within)
        std::fprintf(out, "#     %-36s %.2fx: chose %s, fastest %s\n", r.layer.c_str(), r.ratio,
                     r.chosen.c_str(), r.fastest.c_str());
  }
}

void explain_layer(std::FILE* out, const Layer& layer, const RunConfig& config, bool measure) {
  const gemmconv_conv_desc d = to_conv_desc(layer, config.mb, config.layout);
  std::vector<float> filter(size_t(layer.oc) * (layer.ic / layer.g) * layer.kh * layer.kw, 0.5f);
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.num_threads = config.threads;
  o.workspace_limit = config.workspace_limit;
  o.flags = measure ? GEMMCONV_FLAG_MEASURE : 0u;
  gemmconv_plan* plan = nullptr;
  const gemmconv_status s = gemmconv_plan_create(&d, filter.data(), nullptr, &o, &plan);
  std::fprintf(out, "\n# AUTO%s for %s:", measure ? " (MEASURE)" : "", layer.name.c_str());
  if (s != GEMMCONV_STATUS_SUCCESS) {
    std::fprintf(out, " %s\n", gemmconv_status_string(s));
    return;
  }
  gemmconv_algo chosen;
  gemmconv_plan_algo(plan, &chosen);
  std::fprintf(out, " chose %s\n#   %-20s %-12s %14s %12s %12s\n", gemmconv_algo_name(chosen),
               "algorithm", "verdict", "workspace B", "estimate ms", "measured ms");
  size_t count = 0;
  gemmconv_plan_candidate_count(plan, &count);
  for (size_t i = 0; i < count; ++i) {
    gemmconv_candidate c;
    c.struct_size = sizeof c;
    if (gemmconv_plan_candidate(plan, i, &c) != GEMMCONV_STATUS_SUCCESS) continue;
    const char* verdict = c.verdict == GEMMCONV_STATUS_SUCCESS       ? "eligible"
                          : c.verdict == GEMMCONV_STATUS_UNSUPPORTED ? "unsupported"
                          : c.verdict == GEMMCONV_STATUS_OVER_BUDGET
                              ? "over budget"
                              : gemmconv_status_string(c.verdict);
    char estimate[32] = "-", measured[32] = "-";
    if (c.estimated_seconds >= 0)
      std::snprintf(estimate, sizeof estimate, "%.3f", c.estimated_seconds * 1e3);
    if (c.measured_seconds >= 0)
      std::snprintf(measured, sizeof measured, "%.3f", c.measured_seconds * 1e3);
    std::fprintf(out, "# %s %-20s %-12s %14zu %12s %12s\n", c.algo == chosen ? "*" : " ",
                 gemmconv_algo_name(c.algo), verdict, c.workspace_bytes, estimate, measured);
  }
  gemmconv_plan_destroy(plan);
}

}  // namespace bench
