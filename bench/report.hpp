// What gemmconv-bench prints: a table per shape source (a row per layer and contestant), totals
// per source weighted by each layer's repeat count, and the same rows as CSV.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "layer_desc.hpp"
#include "layer_run.hpp"

namespace bench {

struct ReportSetup {
  RunConfig run;
  uint32_t threads = 1;  // the thread count actually used (for the CSV)
  // The peers every row's time is divided by, one `vs` column each (none: no column); on NCHW
  // onednn-nchw, on NHWC onednn-nhwc and xnnpack, as asked with --peer.
  std::vector<std::string> references;
  std::vector<std::string> order;  // contestants, in the order totals list them
  size_t label_width = 20;         // width of the algorithm column
  bool hide_unsupported = false;   // leave "unsupported" rows out of the table (not the CSV)
};

class Report {
 public:
  // `csv` may be null. Writes the CSV header at once.
  Report(std::FILE* out, std::FILE* csv, const ReportSetup& setup);

  void begin_source(const std::string& source, const std::vector<Layer>& layers);
  void add_layer(const Layer& layer, const std::vector<Result>& results);
  void end_source();

  // Results that failed the check against `direct`, so far.
  int wrong() const { return wrong_; }

 private:
  // Against one reference, over the layers both ran (repeat-weighted).
  struct Common {
    double ours = 0, reference = 0;
    int layers = 0;
  };
  struct Total {
    double ms = 0, macs = 0;     // over the layers it ran, repeat-weighted
    int layers = 0;              // layers timed
    std::vector<Common> common;  // per setup_.references entry
    size_t max_workspace = 0;
    bool any = false;
    int unsupported = 0;  // layers it answered UNSUPPORTED
  };
  // `refs` holds, per setup_.references entry, that peer's timed result on the layer or null.
  using Refs = std::vector<const Result*>;
  void print_vs_header();
  void print_row(const Layer& layer, const Result& r, const Refs& refs);
  void write_csv(const Layer& layer, const Result& r, const Refs& refs);
  void print_total(const std::string& label, const Total& t);
  void accumulate(Total& t, const Layer& layer, double ms, size_t workspace, const Refs& refs);

  std::FILE* out_;
  std::FILE* csv_;
  ReportSetup setup_;
  std::string source_;
  int layer_width_ = 20, source_layers_ = 0, source_weight_ = 0;
  std::map<std::string, Total> totals_;
  Total best_patch_;
  int wrong_ = 0;
};

// "13.8 MiB": bytes for people.
std::string human_bytes(size_t bytes);

}  // namespace bench
