// Runs one layer through a list of algorithms: a correctness check against `direct`, then timed
// repetitions interleaved across the algorithms so that machine noise hits all of them alike.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <gemmconv.h>

#include "layer_desc.hpp"

namespace bench {

struct RunConfig {
  uint32_t mb = 1;
  uint32_t threads = 0;
  int reps = 5;
  gemmconv_layout layout = GEMMCONV_LAYOUT_NCHW;
  bool check = true;
};

struct AlgoResult {
  std::string algo;    // requested name ("auto" included)
  std::string chosen;  // what the plan runs
  std::string status;  // "ok", "WRONG", "unsupported", or a status string
  double median_ms = 0, min_ms = 0, gflops = 0;
  size_t workspace = 0, persistent = 0;
  double max_error_ratio = 0;  // worst |ours - direct| / bound
  bool timed() const { return status == "ok"; }
};

// An extra contestant timed in the same interleaved loop (e.g. oneDNN).
struct Contestant {
  std::string name;
  size_t workspace = 0;
  virtual ~Contestant() = default;
  // Runs once; returns false on failure.
  virtual bool run() = 0;
};

std::vector<AlgoResult> run_layer(const Layer& layer, const std::vector<std::string>& algos,
                                  const RunConfig& config, std::vector<Contestant*> peers = {},
                                  std::vector<AlgoResult>* peer_results = nullptr);

}  // namespace bench
