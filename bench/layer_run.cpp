#include "layer_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace bench {

namespace {

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<float[], AlignedFree>;

Buffer allocate(size_t bytes) {
  void* p = bytes ? std::aligned_alloc(64, (bytes + 63) / 64 * 64) : nullptr;
  return Buffer(static_cast<float*>(p));
}

void fill(float* data, size_t count, uint32_t seed) {
  uint32_t s = seed * 2654435761u + 1;
  for (size_t i = 0; i < count; ++i) {
    s = s * 1664525u + 1013904223u;
    data[i] = float((s >> 8) * (1.0 / 16777216.0) * 2.0 - 1.0);
  }
}

double now_ms() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double, std::milli>(clock::now().time_since_epoch()).count();
}

struct Prepared {
  AlgoResult result;
  gemmconv_plan* plan = nullptr;
  Buffer workspace;
  std::vector<double> times;
};

gemmconv_status make_plan(const gemmconv_conv_desc& d, const float* filter, const float* bias,
                          gemmconv_algo algo, uint32_t threads, gemmconv_plan** plan) {
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = algo;
  o.num_threads = threads;
  return gemmconv_plan_create(&d, filter, bias, &o, plan);
}

void summarise(std::vector<double>& times, AlgoResult& r, double macs) {
  if (times.empty()) return;
  std::sort(times.begin(), times.end());
  r.median_ms = times[times.size() / 2];
  r.min_ms = times.front();
  r.gflops = 2.0 * macs / (r.median_ms * 1e6);
}

}  // namespace

std::vector<AlgoResult> run_layer(const Layer& layer, const std::vector<std::string>& algos,
                                  const RunConfig& config, std::vector<Contestant*> peers,
                                  std::vector<AlgoResult>* peer_results) {
  const gemmconv_conv_desc d = to_conv_desc(layer, config.mb, config.layout);
  const size_t nin = size_t(config.mb) * layer.ic * layer.ih * layer.iw;
  const size_t nout = size_t(config.mb) * layer.oc * layer.oh * layer.ow;
  const size_t nfilter = size_t(layer.oc) * (layer.ic / layer.g) * layer.kh * layer.kw;
  Buffer input = allocate(nin * 4), output = allocate(nout * 4), filter = allocate(nfilter * 4);
  Buffer bias = allocate(layer.oc * 4);
  fill(input.get(), nin, 1);
  fill(filter.get(), nfilter, 2);
  fill(bias.get(), layer.oc, 3);

  // The reference, and per element sum |f * x| (direct on absolute values) for the error bound.
  Buffer expected, magnitude;
  if (config.check) {
    expected = allocate(nout * 4);
    magnitude = allocate(nout * 4);
    gemmconv_plan* ref = nullptr;
    if (make_plan(d, filter.get(), bias.get(), GEMMCONV_ALGO_DIRECT, config.threads, &ref) ==
        GEMMCONV_STATUS_SUCCESS) {
      gemmconv_execute(ref, input.get(), expected.get(), nullptr, 0);
      gemmconv_plan_destroy(ref);
      Buffer abs_in = allocate(nin * 4), abs_f = allocate(nfilter * 4);
      for (size_t i = 0; i < nin; ++i) abs_in[i] = std::fabs(input[i]);
      for (size_t i = 0; i < nfilter; ++i) abs_f[i] = std::fabs(filter[i]);
      make_plan(d, abs_f.get(), nullptr, GEMMCONV_ALGO_DIRECT, config.threads, &ref);
      gemmconv_execute(ref, abs_in.get(), magnitude.get(), nullptr, 0);
      gemmconv_plan_destroy(ref);
    }
  }

  std::vector<Prepared> runs(algos.size());
  for (size_t a = 0; a < algos.size(); ++a) {
    Prepared& p = runs[a];
    p.result.algo = algos[a];
    gemmconv_algo id;
    if (gemmconv_algo_from_name(algos[a].c_str(), &id) != GEMMCONV_STATUS_SUCCESS) {
      p.result.status = "unknown algorithm";
      continue;
    }
    const gemmconv_status s = make_plan(d, filter.get(), bias.get(), id, config.threads, &p.plan);
    if (s != GEMMCONV_STATUS_SUCCESS) {
      p.result.status =
          s == GEMMCONV_STATUS_UNSUPPORTED ? "unsupported" : gemmconv_status_string(s);
      continue;
    }
    gemmconv_algo chosen;
    gemmconv_plan_algo(p.plan, &chosen);
    p.result.chosen = gemmconv_algo_name(chosen);
    gemmconv_plan_workspace_size(p.plan, &p.result.workspace);
    gemmconv_plan_persistent_size(p.plan, &p.result.persistent);
    p.workspace = allocate(p.result.workspace);
    std::memset(output.get(), 0xFF, nout * 4);
    if (gemmconv_execute(p.plan, input.get(), output.get(), p.workspace.get(),
                         p.result.workspace) != GEMMCONV_STATUS_SUCCESS) {
      p.result.status = "execute failed";
      continue;
    }
    p.result.status = "ok";
    if (config.check && expected) {
      for (size_t i = 0; i < nout; ++i) {
        // Both results are within 1e-5 (1 + sum |f x|) of the exact value: allow twice that
        // (|bias| < 1 is covered by the extra 1).
        const double bound = 2e-5 * (2.0 + magnitude[i]);
        const double err = std::fabs(double(output[i]) - expected[i]);
        const double ratio = std::isnan(err) ? INFINITY : err / bound;
        p.result.max_error_ratio = std::max(p.result.max_error_ratio, ratio);
      }
      if (!(p.result.max_error_ratio <= 1.0)) p.result.status = "WRONG";
    }
  }

  std::vector<std::vector<double>> peer_times(peers.size());
  // One untimed warm-up round, then `reps` timed rounds, each running every contestant once.
  for (int rep = -1; rep < config.reps; ++rep) {
    for (Prepared& p : runs) {
      if (!p.result.timed()) continue;
      const double t0 = now_ms();
      gemmconv_execute(p.plan, input.get(), output.get(), p.workspace.get(), p.result.workspace);
      if (rep >= 0) p.times.push_back(now_ms() - t0);
    }
    for (size_t i = 0; i < peers.size(); ++i) {
      const double t0 = now_ms();
      const bool ok = peers[i]->run();
      if (rep >= 0 && ok) peer_times[i].push_back(now_ms() - t0);
    }
  }

  const double macs = layer_macs(layer, config.mb);
  std::vector<AlgoResult> results;
  for (Prepared& p : runs) {
    summarise(p.times, p.result, macs);
    gemmconv_plan_destroy(p.plan);
    results.push_back(p.result);
  }
  if (peer_results)
    for (size_t i = 0; i < peers.size(); ++i) {
      AlgoResult r;
      r.algo = r.chosen = peers[i]->name;
      r.workspace = peers[i]->workspace;
      r.status = peer_times[i].empty() ? "failed" : "ok";
      summarise(peer_times[i], r, macs);
      peer_results->push_back(r);
    }
  return results;
}

}  // namespace bench
