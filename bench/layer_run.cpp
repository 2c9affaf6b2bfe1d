#include "layer_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "algo_select.hpp"
#include "aligned_buffer.hpp"

namespace bench {

namespace {

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

gemmconv_status make_plan(const gemmconv_conv_desc& d, const float* filter, const float* bias,
                          gemmconv_algo algo, uint32_t threads, gemmconv_plan** plan,
                          uint32_t flags = 0, size_t workspace_limit = SIZE_MAX) {
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = algo;
  o.num_threads = threads;
  o.flags = flags;
  o.workspace_limit = workspace_limit;
  return gemmconv_plan_create(&d, filter, bias, &o, plan);
}

// A libgemmconv plan for one named algorithm.
class LibraryContestant final : public Contestant {
 public:
  explicit LibraryContestant(const std::string& algo) : algo_(algo) {}
  ~LibraryContestant() override { release(); }
  std::string name() const override { return algo_; }
  bool is_peer() const override { return false; }

  std::string prepare(const Tensors& t) override {
    // "auto-measure" is AUTO with GEMMCONV_FLAG_MEASURE; "NAME@BYTES" has its own limit.
    std::string base;
    size_t limit = t.config.workspace_limit;
    if (!split_limit(algo_, base, limit)) return "bad workspace limit";
    const bool measure = base == "auto-measure";
    gemmconv_algo id = GEMMCONV_ALGO_AUTO;
    if (!measure && gemmconv_algo_from_name(base.c_str(), &id) != GEMMCONV_STATUS_SUCCESS)
      return "unknown algorithm";
    const gemmconv_conv_desc d = to_conv_desc(*t.layer, t.config.mb, t.config.layout);
    const gemmconv_status s = make_plan(d, t.filter, t.bias, id, t.config.threads, &plan_,
                                        measure ? GEMMCONV_FLAG_MEASURE : 0u, limit);
    if (s != GEMMCONV_STATUS_SUCCESS) {
      plan_ = nullptr;
      return s == GEMMCONV_STATUS_UNSUPPORTED ? "unsupported" : gemmconv_status_string(s);
    }
    gemmconv_plan_workspace_size(plan_, &workspace_bytes_);
    gemmconv_plan_persistent_size(plan_, &persistent_bytes_);
    gemmconv_algo chosen;
    gemmconv_plan_algo(plan_, &chosen);
    chosen_ = gemmconv_algo_name(chosen);
    workspace_ = AlignedBuffer(workspace_bytes_);
    if (workspace_bytes_ && !workspace_.get()) return "cannot allocate the workspace";
    input_ = t.input;
    output_ = t.output;
    return "";
  }

  bool run() override {
    return gemmconv_execute(plan_, input_, output_, workspace_.get(), workspace_bytes_) ==
           GEMMCONV_STATUS_SUCCESS;
  }

  void describe(Result& r) const override {
    r.chosen = chosen_;
    r.workspace = r.scratchpad = workspace_bytes_;
    r.persistent = persistent_bytes_;
  }

  void release() override {
    gemmconv_plan_destroy(plan_);
    plan_ = nullptr;
    workspace_ = AlignedBuffer();
  }

 private:
  std::string algo_, chosen_;
  gemmconv_plan* plan_ = nullptr;
  AlignedBuffer workspace_;
  size_t workspace_bytes_ = 0, persistent_bytes_ = 0;
  const float* input_ = nullptr;
  float* output_ = nullptr;
};

// `direct`'s result, and per output channel an upper bound of sum |f * x| + |bias| over any
// output of that channel (sum |f| * max |x| + |bias|): one `direct` run per layer, shared by
// every contestant, instead of a second convolution on absolute values.
struct Reference {
  AlignedBuffer expected;
  std::vector<double> magnitude;  // per output channel
  size_t channel_stride = 1;      // output index / channel_stride % oc is the channel
  bool ok = false;
};

Reference reference(const Layer& layer, const RunConfig& config, const float* input,
                    const float* filter, const float* bias, size_t nin, size_t nfilter,
                    size_t nout) {
  Reference ref;
  const gemmconv_conv_desc d = to_conv_desc(layer, config.mb, config.layout);
  ref.expected = AlignedBuffer(nout * 4);
  if (!ref.expected.get()) return ref;
  double max_in = 0;
  for (size_t i = 0; i < nin; ++i) max_in = std::max(max_in, double(std::fabs(input[i])));
  const size_t per_channel = nfilter / layer.oc;  // OIHW: each output channel's taps together
  ref.magnitude.assign(layer.oc, 0.0);
  for (size_t m = 0; m < layer.oc; ++m) {
    double sum = 0;
    for (size_t k = 0; k < per_channel; ++k) sum += std::fabs(filter[m * per_channel + k]);
    ref.magnitude[m] = sum * max_in + std::fabs(bias[m]);
  }
  ref.channel_stride =
      config.layout == GEMMCONV_LAYOUT_NCHW ? size_t(layer.oh) * layer.ow : size_t(1);
  gemmconv_plan* plan = nullptr;
  if (make_plan(d, filter, bias, GEMMCONV_ALGO_DIRECT, config.threads, &plan) !=
      GEMMCONV_STATUS_SUCCESS)
    return ref;
  ref.ok =
      gemmconv_execute(plan, input, ref.expected.floats(), nullptr, 0) == GEMMCONV_STATUS_SUCCESS;
  gemmconv_plan_destroy(plan);
  return ref;
}

// The worst error of `output` relative to what float arithmetic allows: both it and `direct`
// are within about 1e-5 * sum |f x| of the exact value for the sizes here (sums of at most a
// few thousand terms, blocked), so twice that, plus a floor, bounds their difference. A wrong
// index or a missed tap is off by about the output's own size, far beyond the bound.
double error_ratio(const Reference& ref, const float* output, size_t nout) {
  double worst = 0;
  const size_t channels = ref.magnitude.size();
  for (size_t i = 0; i < nout; ++i) {
    const double bound = 2e-5 * (1.0 + ref.magnitude[i / ref.channel_stride % channels]);
    const double err = std::fabs(double(output[i]) - ref.expected.floats()[i]);
    if (std::isnan(err)) return INFINITY;
    worst = std::max(worst, err / bound);
  }
  return worst;
}

// Runs contestants one at a time. When it switches from one contestant to another and either
// asks for a gap (switch_gap_ms), it first runs the new one untimed for that long: the old
// one's pool threads spin for a while after its last run and would steal cores from the new
// one's, and by the end of the gap they have given up while the new one's threads are awake.
// An idle gap (sleeping) would not do on a VM: threads, and virtual CPUs, woken after a sleep
// cost the next runs milliseconds (measured: a 0.09 ms layer then takes 5.8 ms at the median;
// with the busy gap, the 0.09 ms it takes alone).
class QuietRunner {
 public:
  bool run(Contestant& c, double* ms = nullptr) {
    if (last_ != &c) {
      const double gap = std::max(c.switch_gap_ms(), last_ ? last_->switch_gap_ms() : 0.0);
      last_ = &c;
      for (const double end = now_ms() + gap; now_ms() < end;)
        if (!c.run()) return false;
    }
    const double t0 = now_ms();
    const bool ok = c.run();
    if (ms) *ms = now_ms() - t0;
    return ok;
  }

 private:
  Contestant* last_ = nullptr;
};

void summarise(std::vector<double>& times, Result& r, double macs) {
  if (times.empty()) return;
  std::sort(times.begin(), times.end());
  const size_t n = times.size();
  r.median_ms = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
  r.min_ms = times.front();
  r.gflops = 2.0 * macs / (r.median_ms * 1e6);
}

}  // namespace

std::unique_ptr<Contestant> make_library_contestant(const std::string& algo) {
  return std::unique_ptr<Contestant>(new LibraryContestant(algo));
}

std::vector<Result> run_layer(const Layer& layer, const RunConfig& config,
                              const std::vector<Contestant*>& contestants) {
  std::vector<Result> results(contestants.size());
  for (size_t c = 0; c < contestants.size(); ++c) {
    results[c].algo = contestants[c]->name();
    results[c].peer = contestants[c]->is_peer();
  }
  // Sizes in double first: a descriptor may describe tensors no machine holds.
  const double elements = double(config.mb) * layer.ic * layer.ih * layer.iw +
                          double(config.mb) * layer.oc * layer.oh * layer.ow +
                          double(layer.oc) * (layer.ic / layer.g) * layer.kh * layer.kw;
  if (elements * 4 > double(1ull << 40)) {
    for (Result& r : results) r.status = "tensors too large for the bench";
    return results;
  }
  const size_t nin = size_t(config.mb) * layer.ic * layer.ih * layer.iw;
  const size_t nout = size_t(config.mb) * layer.oc * layer.oh * layer.ow;
  const size_t nfilter = size_t(layer.oc) * (layer.ic / layer.g) * layer.kh * layer.kw;
  AlignedBuffer input(nin * 4 + kTensorSlack), output(nout * 4), filter(nfilter * 4 + kTensorSlack),
      bias(size_t(layer.oc) * 4 + kTensorSlack);
  if (!input.get() || !output.get() || !filter.get() || !bias.get()) {
    for (Result& r : results) r.status = "cannot allocate the tensors";
    return results;
  }
  fill(input.floats(), nin, 1);
  fill(filter.floats(), nfilter, 2);
  fill(bias.floats(), layer.oc, 3);
  std::memset(input.floats() + nin, 0, kTensorSlack);
  std::memset(filter.floats() + nfilter, 0, kTensorSlack);
  std::memset(bias.floats() + layer.oc, 0, kTensorSlack);
  Reference ref;
  if (config.check)
    ref = reference(layer, config, input.floats(), filter.floats(), bias.floats(), nin, nfilter,
                    nout);

  const Tensors tensors{&layer,          config,        input.floats(),
                        filter.floats(), bias.floats(), output.floats()};
  std::vector<std::vector<double>> times(contestants.size());
  QuietRunner runner;
  for (size_t c = 0; c < contestants.size(); ++c) {
    Contestant& k = *contestants[c];
    Result& r = results[c];
    r.status = k.prepare(tensors);
    if (!r.status.empty()) continue;
    k.describe(r);
    // The first run is checked (and warms up); a wrong result is never timed.
    std::memset(output.get(), 0xFF, nout * 4);  // NaN: anything left unwritten shows
    if (!runner.run(k) || !k.publish_output()) {
      r.status = "run failed";
      continue;
    }
    r.status = "ok";
    if (config.check) {
      if (!ref.ok) {
        r.status = "no reference";
        continue;
      }
      r.max_error_ratio = error_ratio(ref, output.floats(), nout);
      if (!(r.max_error_ratio <= 1.0)) r.status = "WRONG";
    }
  }

  // One untimed warm-up round, then `reps` timed rounds, each running every contestant once;
  // the starting contestant rotates so that none always runs right after the same neighbour.
  const size_t n = contestants.size();
  for (int rep = -1; rep < config.reps; ++rep) {
    for (size_t j = 0; j < n; ++j) {
      const size_t c = (j + size_t(rep + 1)) % n;
      if (!results[c].timed()) continue;
      double t = 0;
      const bool ok = runner.run(*contestants[c], &t);
      if (!ok)
        results[c].status = "run failed";
      else if (rep >= 0)
        times[c].push_back(t);
    }
  }

  const double macs = layer_macs(layer, config.mb);
  for (size_t c = 0; c < n; ++c) {
    if (results[c].timed()) summarise(times[c], results[c], macs);
    contestants[c]->release();
  }
  return results;
}

}  // namespace bench
