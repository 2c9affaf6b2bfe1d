#include "xnnpack_peer.hpp"

#include <dlfcn.h>
#include <omp.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

#include "aligned_buffer.hpp"
#include "report.hpp"

namespace bench {

namespace {

static_assert(XNN_EXTRA_BYTES <= kTensorSlack, "XNNPACK reads further past the tensors");

// pthreadpool's workers spin for about a million iterations after each run (and libgomp's for a
// while after OpenMP's regions); 40 ms is what they need to give up on this project's machine,
// 50 leaves a margin.
constexpr double kSwitchGapMs = 50;

// XNNPACK's allocations, counted: the bytes alive at any moment. Operator creation and setup
// run on the bench's main thread, but XNNPACK may call from anywhere, hence the lock.
class CountingAllocator {
 public:
  static CountingAllocator& instance() {
    static CountingAllocator a;
    return a;
  }
  const xnn_allocator* table() const { return &table_; }
  size_t live() {
    std::lock_guard<std::mutex> lock(mutex_);
    return live_;
  }

 private:
  CountingAllocator() {
    table_.context = this;
    table_.allocate = [](void* self, size_t size) {
      return static_cast<CountingAllocator*>(self)->track(0, std::malloc(size), size);
    };
    table_.reallocate = [](void* self, void* p, size_t size) {
      const uintptr_t old = key(p);  // taken before realloc: p is dead afterwards
      void* q = std::realloc(p, size);
      // A failed realloc leaves the old block alive and counted.
      return q ? static_cast<CountingAllocator*>(self)->track(old, q, size) : nullptr;
    };
    table_.deallocate = [](void* self, void* p) {
      static_cast<CountingAllocator*>(self)->track(key(p), nullptr, 0);
      std::free(p);
    };
    table_.aligned_allocate = [](void* self, size_t alignment, size_t size) {
      void* p = nullptr;
      if (posix_memalign(&p, std::max(alignment, sizeof(void*)), size ? size : 1) != 0)
        return static_cast<void*>(nullptr);
      return static_cast<CountingAllocator*>(self)->track(0, p, size);
    };
    table_.aligned_deallocate = table_.deallocate;
  }

  static uintptr_t key(const void* p) { return reinterpret_cast<uintptr_t>(p); }

  // The block at address `gone` no longer exists, `born` (of `size` bytes) does; either may be
  // 0 / null.
  void* track(uintptr_t gone, void* born, size_t size) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (gone) {
      const auto it = sizes_.find(gone);
      if (it != sizes_.end()) {
        live_ -= it->second;
        sizes_.erase(it);
      }
    }
    if (born) {
      sizes_[key(born)] = size;
      live_ += size;
    }
    return born;
  }

  xnn_allocator table_{};
  std::mutex mutex_;
  std::unordered_map<uintptr_t, size_t> sizes_;
  size_t live_ = 0;
};

xnn_status initialize() {
  static const xnn_status status = xnn_initialize(CountingAllocator::instance().table());
  return status;
}

std::string status_name(xnn_status s) {
  switch (s) {
    case xnn_status_success:
      return "success";
    case xnn_status_uninitialized:
      return "uninitialized";
    case xnn_status_invalid_parameter:
      return "invalid parameter";
    case xnn_status_invalid_state:
      return "invalid state";
    case xnn_status_unsupported_parameter:
      return "unsupported parameter";
    case xnn_status_unsupported_hardware:
      return "unsupported hardware";
    case xnn_status_out_of_memory:
      return "out of memory";
  }
  return "status " + std::to_string(int(s));
}

// [M][C'][KH][KW] (OIHW) to [M][KH][KW][C'] (OHWI), which is XNNPACK's [G][M'][KH][KW][C']
// since the M output channels are the G groups' M' one after the other.
void oihw_to_ohwi(const float* from, float* to, size_t m, size_t c, size_t taps) {
  for (size_t o = 0; o < m; ++o)
    for (size_t i = 0; i < c; ++i)
      for (size_t k = 0; k < taps; ++k) to[(o * taps + k) * c + i] = from[(o * c + i) * taps + k];
}

// Where libXNNPACK was loaded from: this Debian snapshot has no version function.
std::string library_file() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&xnn_run_operator), &info) && info.dli_fname)
    return info.dli_fname;
  return "?";
}

class XnnpackConv final : public Contestant {
 public:
  ~XnnpackConv() override {
    release();
    if (pool_) pthreadpool_destroy(pool_);
  }

  std::string name() const override { return "xnnpack"; }

  std::string prepare(const Tensors& t) override {
    if (t.config.layout != GEMMCONV_LAYOUT_NHWC) return "unsupported";
    const xnn_status init = initialize();
    if (init != xnn_status_success) return "XNNPACK: xnn_initialize: " + status_name(init);
    if (!use_threads(t.config.threads ? t.config.threads : uint32_t(omp_get_max_threads())))
      return "cannot create a pthreadpool";

    const Layer& l = *t.layer;
    const gemmconv_conv_desc d = to_conv_desc(l, t.config.mb, t.config.layout);
    const size_t group_in = l.ic / l.g, group_out = l.oc / l.g, taps = size_t(l.kh) * l.kw;
    const float* kernel = t.filter;
    AlignedBuffer ohwi;  // only needed until XNNPACK has packed it
    if (d.filter_layout == GEMMCONV_FILTER_OIHW) {
      ohwi = AlignedBuffer(size_t(l.oc) * group_in * taps * sizeof(float) + kTensorSlack);
      if (!ohwi.get()) return "cannot allocate the OHWI filter";
      oihw_to_ohwi(t.filter, ohwi.floats(), l.oc, group_in, taps);
      kernel = ohwi.floats();
    }

    CountingAllocator& memory = CountingAllocator::instance();
    const size_t before = memory.live();
    xnn_status s = xnn_create_convolution2d_nhwc_f32(
        l.pt, l.pr, l.pb, l.pl, l.kh, l.kw, l.sh, l.sw, l.dh + 1, l.dw + 1, l.g, group_in,
        group_out, l.ic, l.oc, kernel, t.bias, -INFINITY, INFINITY, 0, &op_);
    if (s != xnn_status_success) {
      op_ = nullptr;
      return s == xnn_status_unsupported_parameter ? "unsupported"
                                                   : "XNNPACK: create: " + status_name(s);
    }
    const size_t created = memory.live();
    s = xnn_setup_convolution2d_nhwc_f32(op_, t.config.mb, l.ih, l.iw, t.input, t.output, pool_);
    if (s != xnn_status_success) {
      release();
      return "XNNPACK: setup: " + status_name(s);
    }
    persistent_ = created > before ? created - before : 0;
    const size_t set_up = memory.live();
    workspace_ = set_up > created ? set_up - created : 0;
    return "";
  }

  bool run() override { return xnn_run_operator(op_, pool_) == xnn_status_success; }

  void describe(Result& r) const override {
    r.chosen = "xnn_convolution2d_nhwc_f32";
    r.workspace = r.scratchpad = workspace_;
    r.persistent = persistent_;
    r.note = "weights OHWI per group, " +
             (pool_ ? "pthreadpool of " + std::to_string(pool_threads_) + " threads"
                    : std::string("no pthreadpool (the calling thread)")) +
             ", indirection buffer " + human_bytes(workspace_);
  }

  void release() override {
    if (op_) xnn_delete_operator(op_);
    op_ = nullptr;
  }

  // With one thread XNNPACK runs on the bench's thread and nothing spins.
  double switch_gap_ms() const override { return pool_ ? kSwitchGapMs : 0; }

 private:
  // One pool for the whole run, remade only if the thread count changes.
  bool use_threads(uint32_t threads) {
    if (threads == pool_threads_ && (pool_ || threads <= 1)) return true;
    if (pool_) pthreadpool_destroy(pool_);
    pool_ = threads > 1 ? pthreadpool_create(threads) : nullptr;
    pool_threads_ = pool_ || threads <= 1 ? threads : 0;
    return pool_ || threads <= 1;
  }

  xnn_operator_t op_ = nullptr;
  pthreadpool_t pool_ = nullptr;
  uint32_t pool_threads_ = 0;
  size_t workspace_ = 0, persistent_ = 0;
};

}  // namespace

std::unique_ptr<Contestant> make_xnnpack_contestant() {
  return std::unique_ptr<Contestant>(new XnnpackConv());
}

std::string xnnpack_summary() {
  return "XNNPACK (" + library_file() + "), pthreadpool";
}

void print_xnnpack_info(std::FILE* out) {
  const xnn_status init = initialize();
  std::fprintf(out, "XNNPACK          %s, xnn_initialize: %s\n", library_file().c_str(),
               status_name(init).c_str());
  std::fprintf(out,
               "XNNPACK peer     f32 convolution2d_nhwc on the NHWC tensors, weights OHWI per "
               "group; NHWC layers only\n");
  std::fprintf(out,
               "XNNPACK threads  a pthreadpool of --threads threads (none for 1); %.0f ms of "
               "untimed runs whenever the bench switches to or from it\n",
               kSwitchGapMs);
}

}  // namespace bench
