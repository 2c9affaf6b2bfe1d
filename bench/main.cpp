// gemmconv-bench: times libgemmconv's algorithms on real network layers, checks every result
// against `direct`, and prints a table (and optionally CSV).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gemmconv.h>

#include "layer_desc.hpp"
#include "layer_run.hpp"
#include "system_info.hpp"

namespace {

const char* const kUsage =
    "usage: gemmconv-bench [--shapes FILE | --layer DESC] [--algo NAME[,NAME..] | all | auto]\n"
    "                      [--threads N] [--mb N] [--reps N] [--layout nchw|nhwc] [--csv FILE]\n"
    "                      [--no-check] [--info]\n";

struct Options {
  std::vector<std::string> shape_files, layer_texts;
  std::string algos = "all", csv;
  bench::RunConfig run;
  bool info = false;
};

bool parse_uint(const char* text, uint32_t& out) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(text, &end, 10);
  if (end == text || *end != '\0' || v > 1u << 20) return false;
  out = uint32_t(v);
  return true;
}

bool parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    auto need = [&]() {
      if (!value) std::fprintf(stderr, "%s needs a value\n%s", arg.c_str(), kUsage);
      ++i;
      return value != nullptr;
    };
    uint32_t n = 0;
    if (arg == "--info") {
      o.info = true;
    } else if (arg == "--no-check") {
      o.run.check = false;
    } else if (arg == "--shapes") {
      if (!need()) return false;
      o.shape_files.push_back(value);
    } else if (arg == "--layer") {
      if (!need()) return false;
      o.layer_texts.push_back(value);
    } else if (arg == "--algo") {
      if (!need()) return false;
      o.algos = value;
    } else if (arg == "--csv") {
      if (!need()) return false;
      o.csv = value;
    } else if (arg == "--layout") {
      if (!need()) return false;
      if (std::strcmp(value, "nchw") == 0)
        o.run.layout = GEMMCONV_LAYOUT_NCHW;
      else if (std::strcmp(value, "nhwc") == 0)
        o.run.layout = GEMMCONV_LAYOUT_NHWC;
      else
        return std::fprintf(stderr, "--layout: nchw or nhwc\n"), false;
    } else if (arg == "--threads" || arg == "--mb" || arg == "--reps") {
      if (!need()) return false;
      if (!parse_uint(value, n) || (arg != "--threads" && n == 0))
        return std::fprintf(stderr, "%s: bad number '%s'\n", arg.c_str(), value), false;
      if (arg == "--threads") o.run.threads = n;
      if (arg == "--mb") o.run.mb = n;
      if (arg == "--reps") o.run.reps = int(n);
    } else {
      std::fprintf(stderr, "unknown argument '%s'\n%s", arg.c_str(), kUsage);
      return false;
    }
  }
  return true;
}

std::vector<std::string> algorithm_list(const std::string& spec) {
  std::vector<std::string> names;
  if (spec == "all") {
    for (int a = 1; a <= gemmconv_algo_count(); ++a)
      names.push_back(gemmconv_algo_name(gemmconv_algo(a)));
    names.push_back("auto");
    return names;
  }
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = spec.find(',', start);
    const std::string name = spec.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!name.empty()) names.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

struct Total {
  double ms = 0;
  int layers = 0;
  bool complete = true;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_options(argc, argv, o)) return 2;
  if (o.info) {
    bench::print_system_info(stdout);
    if (o.shape_files.empty() && o.layer_texts.empty()) return 0;
  }
  struct Source {
    std::string file;
    std::vector<bench::Layer> layers;
  };
  std::vector<Source> sources;
  for (const std::string& f : o.shape_files) {
    Source s{f, {}};
    std::string error;
    if (!bench::read_layer_file(f, s.layers, error)) {
      std::fprintf(stderr, "gemmconv-bench: %s\n", error.c_str());
      return 2;
    }
    sources.push_back(s);
  }
  for (const std::string& t : o.layer_texts) {
    Source s{"--layer", {}};
    bench::Layer l;
    std::string error;
    if (!bench::parse_layer(t, l, error)) {
      std::fprintf(stderr, "gemmconv-bench: bad layer '%s': %s\n", t.c_str(), error.c_str());
      return 2;
    }
    s.layers.push_back(l);
    sources.push_back(s);
  }
  if (sources.empty()) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  const std::vector<std::string> algos = algorithm_list(o.algos);
  for (const std::string& a : algos) {
    gemmconv_algo id;
    if (gemmconv_algo_from_name(a.c_str(), &id) != GEMMCONV_STATUS_SUCCESS) {
      std::fprintf(stderr, "gemmconv-bench: unknown algorithm '%s'\n", a.c_str());
      return 2;
    }
  }

  std::FILE* csv = nullptr;
  if (!o.csv.empty()) {
    csv = std::fopen(o.csv.c_str(), "w");
    if (!csv) return std::fprintf(stderr, "cannot write %s\n", o.csv.c_str()), 2;
    std::fprintf(csv,
                 "file,layer,repeat,mb,threads,layout,algo,chosen,status,median_ms,min_ms,"
                 "gflops,workspace_bytes,persistent_bytes\n");
  }
  const uint32_t threads = o.run.threads;
  std::printf("# libgemmconv %s, BLIS %s, %s threads, mb=%u, %s, %d reps (median, min)\n",
              gemmconv_version_string(), bench::blis_kernel_summary(),
              threads ? std::to_string(threads).c_str() : "default", o.run.mb,
              o.run.layout == GEMMCONV_LAYOUT_NCHW ? "NCHW" : "NHWC", o.run.reps);
  int wrong = 0;
  for (const Source& s : sources) {
    std::map<std::string, Total> totals;
    std::printf("\n## %s\n%-36s %-18s %10s %10s %8s %14s %12s  %s\n", s.file.c_str(), "layer",
                "algorithm", "median ms", "min ms", "GFLOP/s", "workspace B", "persistent B",
                "status");
    for (size_t i = 0; i < s.layers.size(); ++i) {
      const bench::Layer& l = s.layers[i];
      std::fprintf(stderr, "[%zu/%zu] %s\n", i + 1, s.layers.size(), l.name.c_str());
      const auto results = bench::run_layer(l, algos, o.run);
      for (const bench::AlgoResult& r : results) {
        std::string label = r.algo;
        if (r.algo == "auto" && !r.chosen.empty()) label += "=" + r.chosen;
        std::printf("%-36s %-18s %10.3f %10.3f %8.1f %14zu %12zu  %s\n", l.name.c_str(),
                    label.c_str(), r.median_ms, r.min_ms, r.gflops, r.workspace, r.persistent,
                    r.status.c_str());
        if (r.status == "WRONG") ++wrong;
        Total& t = totals[r.algo];
        if (r.timed()) {
          t.ms += r.median_ms * l.repeat;
          ++t.layers;
        } else {
          t.complete = false;
        }
        if (csv)
          std::fprintf(csv, "%s,%s,%d,%u,%u,%s,%s,%s,%s,%.4f,%.4f,%.2f,%zu,%zu\n", s.file.c_str(),
                       l.name.c_str(), l.repeat, o.run.mb, threads,
                       o.run.layout == GEMMCONV_LAYOUT_NCHW ? "nchw" : "nhwc", r.algo.c_str(),
                       r.chosen.c_str(), r.status.c_str(), r.median_ms, r.min_ms, r.gflops,
                       r.workspace, r.persistent);
      }
    }
    std::printf("# totals for %s (each layer times its repeat count)\n", s.file.c_str());
    for (const std::string& a : algos) {
      const Total& t = totals[a];
      std::printf("#   %-18s %10.3f ms%s\n", a.c_str(), t.ms,
                  t.complete ? "" : "  (some layers unsupported or wrong: partial)");
    }
  }
  if (csv) std::fclose(csv);
  if (wrong) std::printf("\n%d WRONG result(s)\n", wrong);
  return wrong ? 1 : 0;
}
