// Runs one layer through a list of contestants (libgemmconv's algorithms and peers such as
// oneDNN): each result checked once against `direct`, then timed repetitions interleaved across
// the contestants so that machine noise hits all of them alike.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <gemmconv.h>

#include "layer_desc.hpp"

namespace bench {

// Readable bytes after the input, filter and bias: XNNPACK reads up to XNN_EXTRA_BYTES (16)
// past the arrays it is given, which could cross into an unmapped page.
constexpr size_t kTensorSlack = 64;

struct RunConfig {
  uint32_t mb = 1;
  uint32_t threads = 0;  // 0: the OpenMP default
  int reps = 5;
  gemmconv_layout layout = GEMMCONV_LAYOUT_NCHW;
  bool check = true;
  size_t workspace_limit = SIZE_MAX;  // options.workspace_limit of every plan
};

// The bench's tensors for one layer, in the user layout (activations config.layout, filter
// as to_conv_desc() says). All contestants read `input`, `filter` and `bias` and leave their
// result in `output`. `input`, `filter` and `bias` are followed by kTensorSlack readable bytes.
struct Tensors {
  const Layer* layer = nullptr;
  RunConfig config;
  const float* input = nullptr;
  const float* filter = nullptr;
  const float* bias = nullptr;
  float* output = nullptr;
};

struct Result {
  std::string algo;    // the requested name ("auto" included) or the peer's name
  bool peer = false;   // not libgemmconv
  std::string chosen;  // the algorithm the plan runs; a peer's implementation
  std::string status;  // "ok", "WRONG", "unsupported", or what failed
  double median_ms = 0, min_ms = 0, gflops = 0;
  size_t workspace = 0;        // memory the timed run needs besides the user's tensors
  size_t persistent = 0;       // memory held from one run to the next (packed filter, ...)
  size_t scratchpad = 0;       // a peer's own scratchpad; ours: the workspace
  double max_error_ratio = 0;  // worst |result - direct| / bound (<= 1 is right)
  std::string note;            // a peer's layouts and buffers, for the table
  bool timed() const { return status == "ok"; }
};

// Something timed in the interleaved loop. One object serves layer after layer:
// prepare(), then run() as often as asked, then release().
class Contestant {
 public:
  virtual ~Contestant() = default;
  virtual std::string name() const = 0;
  virtual bool is_peer() const { return true; }
  // Sets the layer up on `t` outside timing (plans, packed weights, buffers). Returns "" when
  // ready, else the status to report ("unsupported", ...).
  virtual std::string prepare(const Tensors& t) = 0;
  // One timed run; false on failure.
  virtual bool run() = 0;
  // After run(): makes t.output hold the result in the user layout (outside timing).
  virtual bool publish_output() { return true; }
  // Filled in after prepare(): sizes, the implementation, a note for the table.
  virtual void describe(Result& r) const = 0;
  virtual void release() = 0;
  // Milliseconds of untimed runs the bench gives this contestant, or a different one, when it
  // switches between the two, in either order: threads that keep spinning after a run
  // (pthreadpool's workers after XNNPACK, libgomp's after an OpenMP region) steal cores from
  // the next contestant's threads when the two use different thread pools.
  virtual double switch_gap_ms() const { return 0; }
};

// A libgemmconv algorithm by name ("auto" included) as a contestant.
std::unique_ptr<Contestant> make_library_contestant(const std::string& algo);

// Runs the layer through every contestant (results in the same order).
std::vector<Result> run_layer(const Layer& layer, const RunConfig& config,
                              const std::vector<Contestant*>& contestants);

}  // namespace bench
