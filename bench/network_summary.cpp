#include "network_summary.hpp"

#include <algorithm>

namespace bench {

namespace {

// Which of our results stands for "ours": see the header.
std::string ours_label(const std::vector<Result>& results) {
  for (const char* name : {"auto", "auto-measure"})
    for (const Result& r : results)
      if (!r.peer && r.algo == name) return name;
  return "fastest of ours";
}

const Result* ours_on_layer(const std::vector<Result>& results, const std::string& label) {
  const Result* best = nullptr;
  for (const Result& r : results) {
    if (r.peer || !r.timed()) continue;
    if (r.algo == label) return &r;
    if (label == "fastest of ours" && (!best || r.median_ms < best->median_ms)) best = &r;
  }
  return best;
}

}  // namespace

void NetworkSummary::begin_source(const std::string& source, const std::vector<Layer>& layers) {
  Network n;
  n.name = layers.empty() ? "" : network_of(layers.front());
  for (const Layer& l : layers)
    if (network_of(l) != n.name) n.name.clear();  // a mixed file goes by its own name
  if (n.name.empty()) n.name = source;
  n.layers = int(layers.size());
  networks_.push_back(n);
}

void NetworkSummary::add_layer(const Layer& layer, const std::vector<Result>& results) {
  if (networks_.empty()) return;
  Network& n = networks_.back();
  if (n.ours.empty()) n.ours = ours_label(results);
  for (const Result& r : results)
    if (r.peer && std::none_of(n.peers.begin(), n.peers.end(),
                               [&](const Versus& v) { return v.peer == r.algo; }))
      n.peers.push_back({r.algo});
  const Result* ours = ours_on_layer(results, n.ours);
  if (!ours) return;
  for (Versus& v : n.peers)
    for (const Result& r : results)
      if (r.peer && r.algo == v.peer && r.timed()) {
        v.ours_ms += ours->median_ms * layer.repeat;
        v.peer_ms += r.median_ms * layer.repeat;
        ++v.layers;
      }
}

void NetworkSummary::print(std::FILE* out) const {
  int name_width = 7, ours_width = 4, peer_width = 4;
  bool any = false;
  for (const Network& n : networks_) {
    name_width = std::max(name_width, int(n.name.size()));
    ours_width = std::max(ours_width, int(n.ours.size()));
    for (const Versus& v : n.peers) peer_width = std::max(peer_width, int(v.peer.size()));
    any = any || !n.peers.empty();
  }
  if (!any) return;
  std::fprintf(out,
               "\n# whole networks against each peer: each layer's median times its repeat count, "
               "over the layers both ran; ratio = ours / peer (below 1: ours faster)\n"
               "#   %-*s %-6s %7s  %-*s %10s  %-*s %10s %9s %7s\n",
               name_width, "network", "layout", "threads", ours_width, "ours", "ours ms",
               peer_width, "peer", "peer ms", "ours/peer", "layers");
  for (const Network& n : networks_)
    for (const Versus& v : n.peers) {
      char ours_ms[32] = "-", peer_ms[32] = "-", ratio[32] = "-";
      if (v.layers) {
        std::snprintf(ours_ms, sizeof ours_ms, "%.3f", v.ours_ms);
        std::snprintf(peer_ms, sizeof peer_ms, "%.3f", v.peer_ms);
        std::snprintf(ratio, sizeof ratio, "%.2f", v.ours_ms / v.peer_ms);
      }
      const std::string layers = std::to_string(v.layers) + "/" + std::to_string(n.layers);
      std::fprintf(out, "#   %-*s %-6s %7u  %-*s %10s  %-*s %10s %9s %7s%s\n", name_width,
                   n.name.c_str(), layout_ == GEMMCONV_LAYOUT_NCHW ? "nchw" : "nhwc", threads_,
                   ours_width, n.ours.c_str(), ours_ms, peer_width, v.peer.c_str(), peer_ms, ratio,
                   layers.c_str(), v.layers < n.layers ? "  partial" : "");
    }
}

}  // namespace bench
