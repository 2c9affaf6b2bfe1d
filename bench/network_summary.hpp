// The whole-network comparison with each peer, printed at the end of a run: per shape source
// and peer, our total and the peer's (each layer's median times its repeat count, over the
// layers both ran) and ours / peer. "Ours" is AUTO when it ran ("auto", else "auto-measure"),
// otherwise the fastest of our algorithms on each layer. One line per network and peer, with
// layout and threads on it, so that README tables can be made from the lines of several runs.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "layer_desc.hpp"
#include "layer_run.hpp"

namespace bench {

class NetworkSummary {
 public:
  NetworkSummary(gemmconv_layout layout, uint32_t threads) : layout_(layout), threads_(threads) {}

  void begin_source(const std::string& source, const std::vector<Layer>& layers);
  void add_layer(const Layer& layer, const std::vector<Result>& results);
  // Nothing when no peer ran.
  void print(std::FILE* out) const;

 private:
  struct Versus {
    std::string peer;
    double ours_ms = 0, peer_ms = 0;  // over the layers both ran
    int layers = 0;
  };
  struct Network {
    std::string name, ours;
    int layers = 0;
    std::vector<Versus> peers;
  };

  gemmconv_layout layout_;
  uint32_t threads_;
  std::vector<Network> networks_;
};

}  // namespace bench
