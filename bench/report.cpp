#include "report.hpp"

#include <algorithm>

namespace bench {

namespace {

const char* layout_name(gemmconv_layout l) {
  return l == GEMMCONV_LAYOUT_NCHW ? "nchw" : "nhwc";
}

// A CSV field: no commas or line breaks inside.
std::string field(std::string s) {
  for (char& c : s)
    if (c == ',' || c == '\n' || c == '\r') c = ';';
  return s;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// The paper's baseline family: algorithms that build a patch matrix (im2col-*, im2row-*).
bool patch_building(const std::string& algo) {
  return algo.compare(0, 7, "im2col-") == 0 || algo.compare(0, 7, "im2row-") == 0;
}

}  // namespace

std::string human_bytes(size_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) v /= 1024, ++u;
  return fixed(v, v < 10 ? 2 : 1) + " " + units[u];
}

Report::Report(std::FILE* out, std::FILE* csv, const ReportSetup& setup)
    : out_(out), csv_(csv), setup_(setup) {
  if (!csv_) return;
  // The 18 columns stay as they were (the 18th, vs_reference, empty with no peer); a second
  // reference peer (NHWC: xnnpack) adds its own vs_ column after them.
  std::fprintf(csv_,
               "file,network,layer,repeat,mb,threads,layout,algo,kind,chosen,status,median_ms,"
               "min_ms,gflops,workspace_bytes,persistent_bytes,scratchpad_bytes");
  if (setup_.references.empty()) std::fprintf(csv_, ",vs_reference");
  for (const std::string& ref : setup_.references) std::fprintf(csv_, ",vs_%s", ref.c_str());
  std::fprintf(csv_, "\n");
}

void Report::print_vs_header() {
  for (const std::string& ref : setup_.references)
    std::fprintf(out_, " %*s", int(ref.size()) + 3, ("vs " + ref).c_str());
}

void Report::begin_source(const std::string& source, const std::vector<Layer>& layers) {
  source_ = source;
  totals_.clear();
  best_patch_ = Total{};
  layer_width_ = 12;
  source_layers_ = int(layers.size());
  source_weight_ = 0;
  for (const Layer& l : layers) {
    layer_width_ = std::max(layer_width_, int(l.name.size()));
    source_weight_ += l.repeat;
  }
  std::fprintf(out_, "\n## %s\n%-*s %-*s %10s %10s %8s %11s %11s", source.c_str(), layer_width_,
               "layer", int(setup_.label_width), "algorithm", "median ms", "min ms", "GFLOP/s",
               "workspace", "persistent");
  print_vs_header();
  std::fprintf(out_, "  status\n");
}

void Report::print_row(const Layer& layer, const Result& r, const Refs& refs) {
  std::string label = r.algo;
  if (r.algo.compare(0, 4, "auto") == 0 && !r.chosen.empty()) label += "=" + r.chosen;
  const bool timed = r.timed(), sized = timed || r.status == "WRONG";
  std::fprintf(out_, "%-*s %-*s %10s %10s %8s %11s %11s", layer_width_, layer.name.c_str(),
               int(setup_.label_width), label.c_str(), timed ? fixed(r.median_ms, 3).c_str() : "-",
               timed ? fixed(r.min_ms, 3).c_str() : "-", timed ? fixed(r.gflops, 1).c_str() : "-",
               sized ? human_bytes(r.workspace).c_str() : "-",
               sized ? human_bytes(r.persistent).c_str() : "-");
  for (size_t i = 0; i < refs.size(); ++i)
    std::fprintf(out_, " %*s", int(setup_.references[i].size()) + 3,
                 timed && refs[i] ? fixed(r.median_ms / refs[i]->median_ms, 2).c_str() : "-");
  std::string status = r.status;
  if (r.status == "WRONG") status += " (error " + fixed(r.max_error_ratio, 1) + "x the bound)";
  if (r.peer && !r.chosen.empty()) status += "  " + r.chosen;
  if (!r.note.empty()) status += ", " + r.note;
  std::fprintf(out_, "  %s\n", status.c_str());
}

void Report::write_csv(const Layer& layer, const Result& r, const Refs& refs) {
  if (!csv_) return;
  const bool timed = r.timed(), sized = timed || r.status == "WRONG";
  std::fprintf(csv_, "%s,%s,%s,%d,%u,%u,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s", field(source_).c_str(),
               field(network_of(layer)).c_str(), field(layer.name).c_str(), layer.repeat,
               setup_.run.mb, setup_.threads, layout_name(setup_.run.layout), field(r.algo).c_str(),
               r.peer ? "peer" : "ours", field(r.chosen).c_str(), field(r.status).c_str(),
               timed ? fixed(r.median_ms, 4).c_str() : "", timed ? fixed(r.min_ms, 4).c_str() : "",
               timed ? fixed(r.gflops, 2).c_str() : "",
               sized ? std::to_string(r.workspace).c_str() : "",
               sized ? std::to_string(r.persistent).c_str() : "",
               sized ? std::to_string(r.scratchpad).c_str() : "");
  if (refs.empty()) std::fprintf(csv_, ",");
  for (const Result* ref : refs)
    std::fprintf(csv_, ",%s", timed && ref ? fixed(r.median_ms / ref->median_ms, 4).c_str() : "");
  std::fprintf(csv_, "\n");
}

void Report::accumulate(Total& t, const Layer& layer, double ms, size_t workspace,
                        const Refs& refs) {
  t.any = true;
  t.ms += ms * layer.repeat;
  t.macs += layer_macs(layer, setup_.run.mb) * layer.repeat;
  ++t.layers;
  t.max_workspace = std::max(t.max_workspace, workspace);
  t.common.resize(refs.size());
  for (size_t i = 0; i < refs.size(); ++i) {
    if (!refs[i]) continue;
    t.common[i].ours += ms * layer.repeat;
    t.common[i].reference += refs[i]->median_ms * layer.repeat;
    ++t.common[i].layers;
  }
}

void Report::add_layer(const Layer& layer, const std::vector<Result>& results) {
  Refs refs(setup_.references.size(), nullptr);
  for (size_t i = 0; i < refs.size(); ++i)
    for (const Result& r : results)
      if (r.peer && r.algo == setup_.references[i] && r.timed()) refs[i] = &r;
  const Result* best = nullptr;
  for (const Result& r : results) {
    const bool unsupported = r.status == "unsupported";
    if (!(unsupported && setup_.hide_unsupported)) print_row(layer, r, refs);
    write_csv(layer, r, refs);
    if (r.status == "WRONG") ++wrong_;
    Total& t = totals_[r.algo];
    t.unsupported += unsupported;
    if (r.timed()) accumulate(t, layer, r.median_ms, r.workspace, refs);
    if (r.timed() && !r.peer && patch_building(r.algo) && (!best || r.median_ms < best->median_ms))
      best = &r;
  }
  if (best) accumulate(best_patch_, layer, best->median_ms, best->workspace, refs);
  std::fflush(out_);
  if (csv_) std::fflush(csv_);
}

void Report::print_total(const std::string& label, const Total& t) {
  std::fprintf(out_, "#   %-*s %11s %8s %7s", int(setup_.label_width), label.c_str(),
               t.layers ? fixed(t.ms, 3).c_str() : "-",
               t.layers ? fixed(2.0 * t.macs / (t.ms * 1e6), 1).c_str() : "-",
               (std::to_string(t.layers) + "/" + std::to_string(source_layers_)).c_str());
  for (size_t i = 0; i < setup_.references.size(); ++i) {
    std::string ratio = "-";
    if (i < t.common.size() && t.common[i].layers) {
      const Common& c = t.common[i];
      ratio = fixed(c.ours / c.reference, 2);
      if (c.layers < source_layers_) ratio += " (" + std::to_string(c.layers) + " layers)";
    }
    std::fprintf(out_, " %*s", int(setup_.references[i].size()) + 3, ratio.c_str());
  }
  std::fprintf(out_, " %11s%s\n", t.layers ? human_bytes(t.max_workspace).c_str() : "-",
               t.layers < source_layers_ ? "  partial: some layers unsupported or failed" : "");
}

void Report::end_source() {
  std::fprintf(out_,
               "# totals for %s: %d layers, %d counting repeats; each layer's median times its "
               "repeat count\n#   %-*s %11s %8s %7s",
               source_.c_str(), source_layers_, source_weight_, int(setup_.label_width),
               "algorithm", "total ms", "GFLOP/s", "layers");
  print_vs_header();
  std::fprintf(out_, " %11s\n", "max wkspace");
  for (const std::string& name : setup_.order) {
    const Total& t = totals_[name];
    if (!(setup_.hide_unsupported && t.unsupported == source_layers_)) print_total(name, t);
  }
  if (best_patch_.any) print_total("fastest im2col/im2row", best_patch_);
  std::fflush(out_);
}

}  // namespace bench
