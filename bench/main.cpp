// gemmconv-bench: times libgemmconv's algorithms (and optionally oneDNN and XNNPACK) on real
// network layers, checks every result against `direct`, and prints a table, totals and
// optionally CSV.
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <gemmconv.h>

#include "algo_select.hpp"
#include "layer_desc.hpp"
#include "layer_run.hpp"
#include "report.hpp"
#include "auto_summary.hpp"
#include "network_summary.hpp"
#include "system_info.hpp"
#ifdef GEMMCONV_BENCH_ONEDNN
#include "onednn_peer.hpp"
#endif
#ifdef GEMMCONV_BENCH_XNNPACK
#include "xnnpack_peer.hpp"
#endif

namespace {

const char* const kUsage =
    "usage: gemmconv-bench [--shapes FILE | --layer DESC]... [--algo NAME[,NAME..] | all | auto]\n"
    "                      [--threads N] [--mb N] [--reps N] [--csv FILE] [--peer P[,P]]\n"
    "                      [--info] [--layout nchw|nhwc] [--skip-unknown] [--hide-unsupported]\n"
    "                      [--no-check] [--explain] [--workspace-limit BYTES]\n"
    "\n"
    "  --shapes FILE   layers in oneDNN benchdnn's descriptor format, one a line (bench/shapes)\n"
    "  --layer DESC    one such layer, e.g. 'mb1ic128ih56oc256oh56kh3ph1n\"vgg_19:conv3_1\"'\n"
    "  --algo LIST     comma-separated names, shell patterns (im2col-*), all, auto [all];\n"
    "                  NAME@BYTES: with its own workspace_limit (tiled-nchw@65536), so one\n"
    "                  run interleaves an algorithm at several limits\n"
    "  --skip-unknown  warn about --algo items this build does not have, instead of failing\n"
    "  --hide-unsupported  no table rows where an algorithm does not support the layer\n"
    "  --threads N     threads for every plan and for the peers (oneDNN: OpenMP's; XNNPACK:\n"
    "                  a pthreadpool) [OpenMP's default]\n"
    "  --mb N          batch, replacing the files' [1]\n"
    "  --reps N        timed repetitions after one warm-up; median and minimum reported [5]\n"
    "  --csv FILE      also write every row as CSV (bench/plot_figures.sh draws it): file,\n"
    "                  network, layer, repeat, mb, threads, layout, algo, kind (ours|peer),\n"
    "                  chosen, status, median_ms, min_ms, gflops, workspace_bytes,\n"
    "                  persistent_bytes, scratchpad_bytes, then vs_<peer> for each 'vs' peer\n"
    "                  (one column vs_reference, empty, without --peer)\n"
    "  --peer LIST     race peers too, 'onednn', 'xnnpack' or 'onednn,xnnpack'; each layout\n"
    "                  gets the peers that work on it, every result checked like ours:\n"
    "                  NCHW, onednn: onednn-plain (oneDNN on the user's tensors as they are),\n"
    "                    onednn-nchw (the same tensors, reorders to its blocked layout timed)\n"
    "                    and onednn-blocked (its own layout, its best case); 'vs' divides by\n"
    "                    onednn-nchw. xnnpack has no NCHW peer (skipped with a warning).\n"
    "                  NHWC: onednn-nhwc (oneDNN on the NHWC tensors as they are, weights in\n"
    "                    its layout) and onednn-blocked; xnnpack (XNNPACK's NHWC convolution,\n"
    "                    a pthreadpool of --threads); 'vs' columns divide by onednn-nhwc and\n"
    "                    by xnnpack. The run ends with each network's total against each peer.\n"
    "  --info          print the library, BLIS, micro-kernel, threads, CPU (and the peers)\n"
    "  --layout L      activation layout nchw or nhwc [nchw]; the filter is OIHW\n"
    "  --no-check      skip the check against `direct` (faster; results then unverified)\n"
    "  --explain       print what AUTO considered for each layer: verdict, workspace, estimated\n"
    "                  (and, with auto-measure in --algo, measured) time\n"
    "  --workspace-limit BYTES  options.workspace_limit for every plan (AUTO's budget) [none]\n"
    "\n"
    "  'auto-measure' in --algo is AUTO with GEMMCONV_FLAG_MEASURE. With auto or auto-measure\n"
    "  and named algorithms, a summary compares AUTO with each layer's fastest algorithm.\n";

struct Options {
  std::vector<std::string> shape_files, layer_texts;
  std::string algos = "all", csv;
  std::vector<std::string> peers;  // as given to --peer, each once
  bench::RunConfig run;
  bool info = false, skip_unknown = false, hide_unsupported = false, threads_given = false;
  bool explain = false;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!item.empty()) items.push_back(item);
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

// Adds the contestants of peer `name` that run on `layout`, and the names the table divides
// by. False (after saying why) when the peer is not built in.
bool add_peer(const std::string& name, gemmconv_layout layout,
              std::vector<std::unique_ptr<bench::Contestant>>& owned,
              std::vector<std::string>& references, std::string& summary) {
  if (name == "onednn") {
#ifdef GEMMCONV_BENCH_ONEDNN
    for (auto& p : bench::make_onednn_contestants(layout)) owned.push_back(std::move(p));
    references.push_back(bench::onednn_reference_name(layout));
    summary += ", peer " + bench::onednn_summary();
    return true;
#else
    std::fprintf(stderr,
                 "gemmconv-bench: built without oneDNN (install libdnnl-dev and reconfigure with "
                 "-Donednn=enabled)\n");
    return false;
#endif
  }
#ifdef GEMMCONV_BENCH_XNNPACK
  if (layout != GEMMCONV_LAYOUT_NHWC) {
    std::fprintf(stderr,
                 "gemmconv-bench: warning: XNNPACK is a peer on NHWC layers only (--layout "
                 "nhwc); not raced here\n");
    return true;
  }
  owned.push_back(bench::make_xnnpack_contestant());
  references.push_back("xnnpack");
  summary += ", peer " + bench::xnnpack_summary();
  return true;
#else
  (void)layout, (void)owned, (void)references, (void)summary;
  std::fprintf(stderr,
               "gemmconv-bench: built without XNNPACK (install libxnnpack-dev and "
               "libpthreadpool-dev and reconfigure with -Dxnnpack=enabled)\n");
  return false;
#endif
}

bool parse_uint(const char* text, uint32_t& out) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(text, &end, 10);
  if (end == text || *end != '\0' || text[0] == '-' || v > 1u << 20) return false;
  out = uint32_t(v);
  return true;
}

bool parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    }
    if (arg == "--info") {
      o.info = true;
      continue;
    }
    if (arg == "--no-check") {
      o.run.check = false;
      continue;
    }
    if (arg == "--skip-unknown") {
      o.skip_unknown = true;
      continue;
    }
    if (arg == "--explain") {
      o.explain = true;
      continue;
    }
    if (arg == "--hide-unsupported") {
      o.hide_unsupported = true;
      continue;
    }
    const char* value = i + 1 < argc ? argv[++i] : nullptr;
    if (!value && arg.compare(0, 2, "--") == 0)
      return std::fprintf(stderr, "gemmconv-bench: %s needs a value\n%s", arg.c_str(), kUsage),
             false;
    uint32_t n = 0;
    if (arg == "--shapes") {
      o.shape_files.push_back(value);
    } else if (arg == "--layer") {
      o.layer_texts.push_back(value);
    } else if (arg == "--algo") {
      o.algos = value;
    } else if (arg == "--csv") {
      o.csv = value;
    } else if (arg == "--workspace-limit") {
      char* end = nullptr;
      const unsigned long long v = std::strtoull(value, &end, 10);
      if (end == value || *end != '\0' || value[0] == '-')
        return std::fprintf(stderr, "gemmconv-bench: --workspace-limit: bad number '%s'\n", value),
               false;
      o.run.workspace_limit = size_t(v);
    } else if (arg == "--peer") {
      for (const std::string& p : split_list(value)) {
        if (p != "onednn" && p != "xnnpack")
          return std::fprintf(stderr, "gemmconv-bench: --peer: 'onednn' or 'xnnpack', not '%s'\n",
                              p.c_str()),
                 false;
        if (std::find(o.peers.begin(), o.peers.end(), p) == o.peers.end()) o.peers.push_back(p);
      }
    } else if (arg == "--layout") {
      if (std::strcmp(value, "nchw") == 0)
        o.run.layout = GEMMCONV_LAYOUT_NCHW;
      else if (std::strcmp(value, "nhwc") == 0)
        o.run.layout = GEMMCONV_LAYOUT_NHWC;
      else
        return std::fprintf(stderr, "gemmconv-bench: --layout: nchw or nhwc\n"), false;
    } else if (arg == "--threads" || arg == "--mb" || arg == "--reps") {
      if (!parse_uint(value, n) || n == 0)
        return std::fprintf(stderr, "gemmconv-bench: %s: bad number '%s'\n", arg.c_str(), value),
               false;
      if (arg == "--threads") o.run.threads = n, o.threads_given = true;
      if (arg == "--mb") o.run.mb = n;
      if (arg == "--reps") o.run.reps = int(n);
    } else {
      std::fprintf(stderr, "gemmconv-bench: unknown argument '%s'\n%s", arg.c_str(), kUsage);
      return false;
    }
  }
  return true;
}

struct Source {
  std::string name;
  std::vector<bench::Layer> layers;
};

bool load_sources(const Options& o, std::vector<Source>& sources) {
  for (const std::string& f : o.shape_files) {
    Source s{f, {}};
    std::string error;
    if (!bench::read_layer_file(f, s.layers, error))
      return std::fprintf(stderr, "gemmconv-bench: %s\n", error.c_str()), false;
    sources.push_back(s);
  }
  if (!o.layer_texts.empty()) {
    Source s{"command line", {}};
    for (const std::string& t : o.layer_texts) {
      bench::Layer l;
      std::string error;
      if (!bench::parse_layer(t, l, error))
        return std::fprintf(stderr, "gemmconv-bench: bad layer '%s': %s\n", t.c_str(),
                            error.c_str()),
               false;
      s.layers.push_back(l);
    }
    sources.push_back(s);
  }
  return true;
}

// "[3/9] vgg_19:conv3_1" on stderr: rewritten in place on a terminal, one line each otherwise.
void progress(size_t done, size_t total, const std::string& what) {
  static const bool tty = isatty(2) != 0;
  if (done == 0 && tty) std::fprintf(stderr, "\r\033[K");  // finished: clear the line
  if (done == 0) return;
  if (tty)
    std::fprintf(stderr, "\r\033[K[%zu/%zu] %s", done, total, what.c_str());
  else
    std::fprintf(stderr, "[%zu/%zu] %s\n", done, total, what.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_options(argc, argv, o)) return 2;
  // Our plans get --threads explicitly; oneDNN runs OpenMP's current thread count, so set that
  // too, before any primitive is created.
  if (o.threads_given) omp_set_num_threads(int(o.run.threads));
  if (o.info) {
    bench::print_system_info(stdout);
#ifdef GEMMCONV_BENCH_ONEDNN
    bench::print_onednn_info(stdout);
#else
    std::printf(
        "oneDNN           not built in (needs libdnnl-dev at configure time, -Donednn not "
        "disabled)\n");
#endif
#ifdef GEMMCONV_BENCH_XNNPACK
    bench::print_xnnpack_info(stdout);
#else
    std::printf(
        "XNNPACK          not built in (needs libxnnpack-dev and libpthreadpool-dev at configure "
        "time, -Dxnnpack not disabled)\n");
#endif
    if (o.shape_files.empty() && o.layer_texts.empty()) return 0;
  }
  std::vector<Source> sources;
  if (!load_sources(o, sources)) return 2;
  if (sources.empty()) return std::fprintf(stderr, "%s", kUsage), 2;

  std::vector<std::string> algos, skipped;
  std::string error;
  if (!bench::select_algorithms(o.algos, o.skip_unknown, algos, skipped, error))
    return std::fprintf(stderr, "gemmconv-bench: %s\n", error.c_str()), 2;
  for (const std::string& s : skipped)
    std::fprintf(stderr, "gemmconv-bench: warning: no algorithm '%s' in this build, skipped\n",
                 s.c_str());

  std::vector<std::unique_ptr<bench::Contestant>> owned;
  for (const std::string& a : algos) owned.push_back(bench::make_library_contestant(a));
  bench::ReportSetup setup;
  std::string peer_summary;
  for (const std::string& p : o.peers)
    if (!add_peer(p, o.run.layout, owned, setup.references, peer_summary)) return 2;
  std::vector<bench::Contestant*> contestants;
  setup.label_width = 12;
  for (auto& c : owned) {
    contestants.push_back(c.get());
    setup.order.push_back(c->name());
    size_t width = c->name().size();
    if (c->name().compare(0, 4, "auto") == 0)
      for (int a = 1; a <= gemmconv_algo_count(); ++a)
        width = std::max(width, 5 + std::strlen(gemmconv_algo_name(gemmconv_algo(a))));
    setup.label_width = std::max(setup.label_width, width);
  }
  setup.run = o.run;
  setup.hide_unsupported = o.hide_unsupported;
  setup.threads = o.run.threads ? o.run.threads : uint32_t(omp_get_max_threads());

  std::FILE* csv = nullptr;
  if (!o.csv.empty() && !(csv = std::fopen(o.csv.c_str(), "w")))
    return std::fprintf(stderr, "gemmconv-bench: cannot write %s\n", o.csv.c_str()), 2;
  std::printf(
      "# libgemmconv %s, BLIS %s, threads=%u, mb=%u, %s, median and min of %d reps after a "
      "warm-up, %s%s\n",
      gemmconv_version_string(), bench::blis_kernel_summary(), setup.threads, o.run.mb,
      o.run.layout == GEMMCONV_LAYOUT_NCHW ? "NCHW" : "NHWC", o.run.reps,
      o.run.check ? "every result checked against direct" : "UNCHECKED (--no-check)",
      peer_summary.c_str());

  std::printf(
      "# micro-kernel ceiling (in L1, measured now): %.1f GFLOP/s per core, %.1f for %u "
      "threads; GFLOP/s below / that = share of the ceiling\n",
      bench::micro_kernel_ceiling_gflops(), bench::micro_kernel_ceiling_gflops() * setup.threads,
      setup.threads);
  std::printf("# CPU: %s\n", bench::cpu_summary().c_str());
  bench::Report report(stdout, csv, setup);
  bench::AutoSummary auto_summary;
  bench::NetworkSummary network_summary(o.run.layout, setup.threads);
  const bool measure_explained =
      std::find(algos.begin(), algos.end(), "auto-measure") != algos.end();
  size_t total = 0, done = 0;
  for (const Source& s : sources) total += s.layers.size();
  for (const Source& s : sources) {
    report.begin_source(s.name, s.layers);
    network_summary.begin_source(s.name, s.layers);
    for (const bench::Layer& l : s.layers) {
      progress(++done, total, l.name);
      const std::vector<bench::Result> results = bench::run_layer(l, o.run, contestants);
      report.add_layer(l, results);
      auto_summary.add_layer(l, results);
      network_summary.add_layer(l, results);
      if (o.explain) bench::explain_layer(stdout, l, o.run, measure_explained);
    }
    report.end_source();
  }
  progress(0, total, "");
  const double start = bench::micro_kernel_ceiling_gflops(),
               end = bench::measure_micro_kernel_gflops();
  std::printf(
      "\n# micro-kernel ceiling measured again after the run: %.1f GFLOP/s per core (at the start "
      "%.1f); the higher, %.1f, is the one to compare with\n",
      end, start, std::max(start, end));
  auto_summary.print(stdout);
  network_summary.print(stdout);
  if (csv) std::fclose(csv);
  if (report.wrong()) std::printf("\n%d WRONG result(s)\n", report.wrong());
  return report.wrong() ? 1 : 0;
}
