// How close AUTO comes to the fastest algorithm, layer by layer, against the project's targets
// (estimate within 1.1x on >= 90% of layers and never beyond 1.5x; MEASURE within 1.05x on
// >= 95%), printed after the tables.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "layer_desc.hpp"
#include "layer_run.hpp"

namespace bench {

class AutoSummary {
 public:
  // Compares "auto" and "auto-measure" (when present) with the fastest named algorithm.
  void add_layer(const Layer& layer, const std::vector<Result>& results);
  // Nothing when no layer had both AUTO and a named algorithm timed.
  void print(std::FILE* out) const;

 public:
  struct Ratio {
    std::string layer, chosen, fastest;
    double ratio;
  };

 private:
  std::vector<Ratio> estimate_, measure_;
};

// Prints what AUTO considered for the layer: every algorithm with its verdict, workspace and
// estimated time (and measured time when `measure`), the chosen one marked.
void explain_layer(std::FILE* out, const Layer& layer, const RunConfig& config, bool measure);

}  // namespace bench
