#include "onednn_peer.hpp"

#include <oneapi/dnnl/dnnl.hpp>
#include <oneapi/dnnl/dnnl_debug.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <unordered_map>

#include "aligned_buffer.hpp"
#include "report.hpp"

namespace bench {

namespace {

using dnnl::memory;

// "avx2" for dnnl_cpu_isa_avx2.
std::string isa_name() {
  const std::string s = dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa());
  return s.compare(0, 8, "cpu_isa_") == 0 ? s.substr(8) : s;
}
using Args = std::unordered_map<int, memory>;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// oneDNN's own notation for a blocked layout ("aBcd8b" is nChw8c): dimensions from outermost
// to innermost, upper case when blocked, then the inner blocks.
std::string layout_of(const memory::desc& md) {
  const dnnl_memory_desc_t& d = md.data;
  if (d.format_kind != dnnl_blocked) return "?";
  const auto& b = d.format_desc.blocking;
  std::vector<int> order(size_t(d.ndims));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return b.strides[x] > b.strides[y]; });
  std::vector<bool> blocked(size_t(d.ndims), false);
  for (int i = 0; i < b.inner_nblks; ++i) blocked[size_t(b.inner_idxs[i])] = true;
  std::string s;
  for (int i : order) s += char((blocked[size_t(i)] ? 'A' : 'a') + i);
  for (int i = 0; i < b.inner_nblks; ++i)
    s += std::to_string(b.inner_blks[i]) + char('a' + b.inner_idxs[i]);
  return s;
}

class OnednnConv final : public Contestant {
 public:
  enum class Mode { user_layout_reordered, blocked, plain };
  OnednnConv(gemmconv_layout layout, Mode mode)
      : layout_(layout), mode_(mode), stream_(cpu_engine()) {}
  ~OnednnConv() override { release(); }

  // Only the user-layout contestant pays the reorders inside the timed run.
  bool timed_reorders() const { return mode_ == Mode::user_layout_reordered; }

  std::string name() const override {
    switch (mode_) {
      case Mode::user_layout_reordered:
        return onednn_reference_name(layout_);
      case Mode::blocked:
        return "onednn-blocked";
      case Mode::plain:
        // On NHWC the tensors as they are get oneDNN's best kernels (brgconv on AVX-512): the
        // NHWC peer, named for its layout like the NCHW one.
        return layout_ == GEMMCONV_LAYOUT_NCHW ? "onednn-plain" : onednn_reference_name(layout_);
    }
    return "onednn";
  }

  std::string prepare(const Tensors& t) override {
    try {
      build(t);
      return "";
    } catch (const dnnl::error& e) {
      release();
      return std::string("oneDNN: ") + e.what();
    }
  }

  bool run() override {
    try {
      if (timed_reorders() && reorder_src_) src_reorder_.execute(stream_, src_args_);
      conv_.execute(stream_, conv_args_);
      if (timed_reorders() && reorder_dst_) dst_reorder_.execute(stream_, dst_args_);
      stream_.wait();
      return true;
    } catch (const dnnl::error&) {
      return false;
    }
  }

  bool publish_output() override {
    if (timed_reorders() || !reorder_dst_) return true;
    try {
      dst_reorder_.execute(stream_, dst_args_);
      stream_.wait();
      return true;
    } catch (const dnnl::error&) {
      return false;
    }
  }

  void describe(Result& r) const override {
    r.chosen = impl_;
    r.scratchpad = conv_scratchpad_;
    r.workspace = timed_reorders() ? scratchpad_ + intermediate_ : conv_scratchpad_;
    r.persistent = persistent_;
    r.note = "src " + src_layout_ + " wei " + weights_layout_ + " dst " + dst_layout_ +
             ", scratchpad " + human_bytes(conv_scratchpad_);
    if (timed_reorders() && intermediate_)
      r.note += " + reordered tensors " + human_bytes(intermediate_);
  }

  void release() override {
    conv_ = dnnl::convolution_forward();
    src_reorder_ = dnnl::reorder();
    dst_reorder_ = dnnl::reorder();
    conv_args_.clear();
    src_args_.clear();
    dst_args_.clear();
    weights_buf_ = AlignedBuffer();
    src_buf_ = AlignedBuffer();
    dst_buf_ = AlignedBuffer();
    scratch_buf_ = AlignedBuffer();
  }

 private:
  // A reorder between two layouts with a user scratchpad; its scratchpad size goes to `bytes`.
  static dnnl::reorder make_reorder(const memory::desc& from, const memory::desc& to,
                                    size_t& bytes) {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::reorder::primitive_desc pd(cpu_engine(), from, cpu_engine(), to, attr);
    bytes = pd.scratchpad_desc().get_size();
    return dnnl::reorder(pd);
  }

  static AlignedBuffer allocate(size_t bytes) {
    AlignedBuffer b(bytes);
    if (bytes && !b.get()) throw dnnl::error(dnnl_out_of_memory, "cannot allocate");
    return b;
  }

  void build(const Tensors& t) {
    using tag = memory::format_tag;
    using dt = memory::data_type;
    using dims = memory::dims;
    const Layer& l = *t.layer;
    const gemmconv_conv_desc d = to_conv_desc(l, t.config.mb, t.config.layout);
    const dims src_dims{t.config.mb, l.ic, l.ih, l.iw}, dst_dims{t.config.mb, l.oc, l.oh, l.ow};
    const dims weight_dims =
        l.g > 1 ? dims{l.g, l.oc / l.g, l.ic / l.g, l.kh, l.kw} : dims{l.oc, l.ic, l.kh, l.kw};
    const tag act = layout_ == GEMMCONV_LAYOUT_NCHW ? tag::nchw : tag::nhwc;
    const memory::desc user_src(src_dims, dt::f32, act), user_dst(dst_dims, dt::f32, act);
    // Grouped weights (depthwise included) carry the groups as their own outer dimension.
    const bool ohwi = d.filter_layout == GEMMCONV_FILTER_OHWI;
    const tag weights_tag =
        l.g > 1 ? (ohwi ? tag::gohwi : tag::goihw) : (ohwi ? tag::ohwi : tag::oihw);
    const memory::desc user_weights(weight_dims, dt::f32, weights_tag);
    const memory::desc bias_md(dims{l.oc}, dt::f32, tag::x);
    // Plain: src and dst are the user's tensors as they are, so oneDNN picks the implementation
    // it has for that layout; the weights may still take its layout (packed once, untimed).
    const tag activations = mode_ == Mode::plain ? act : tag::any;
    const dnnl::convolution_forward::desc cd(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
        memory::desc(src_dims, dt::f32, activations), memory::desc(weight_dims, dt::f32, tag::any),
        bias_md, memory::desc(dst_dims, dt::f32, activations), dims{l.sh, l.sw}, dims{l.dh, l.dw},
        dims{l.pt, l.pl}, dims{l.pb, l.pr});
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const dnnl::convolution_forward::primitive_desc pd(cd, attr, cpu_engine());
    conv_ = dnnl::convolution_forward(pd);
    impl_ = pd.impl_info_str();
    src_layout_ = layout_of(pd.src_desc());
    weights_layout_ = layout_of(pd.weights_desc());
    dst_layout_ = layout_of(pd.dst_desc());

    // Weights: reordered once, outside timing, like libgemmconv's packed filter.
    dnnl::engine& eng = cpu_engine();
    weights_buf_ = allocate(pd.weights_desc().get_size());
    const memory weights(pd.weights_desc(), eng, weights_buf_.get());
    const memory user_w(user_weights, eng, const_cast<float*>(t.filter));
    size_t weight_scratch = 0;
    dnnl::reorder weight_reorder = make_reorder(user_weights, pd.weights_desc(), weight_scratch);
    AlignedBuffer weight_scratch_buf = allocate(weight_scratch);
    Args weight_args{{DNNL_ARG_FROM, user_w}, {DNNL_ARG_TO, weights}};
    if (weight_scratch)
      weight_args[DNNL_ARG_SCRATCHPAD] =
          memory(memory::desc(dims{memory::dim(weight_scratch)}, dt::u8, tag::x), eng,
                 weight_scratch_buf.get());
    weight_reorder.execute(stream_, weight_args);
    stream_.wait();
    persistent_ = pd.weights_desc().get_size() + size_t(l.oc) * sizeof(float);

    const memory user_src_mem(user_src, eng, const_cast<float*>(t.input));
    const memory user_dst_mem(user_dst, eng, t.output);
    memory src = user_src_mem, dst = user_dst_mem;
    reorder_src_ = pd.src_desc() != user_src;
    reorder_dst_ = pd.dst_desc() != user_dst;
    size_t src_scratch = 0, dst_scratch = 0;
    intermediate_ = 0;
    if (reorder_src_) {
      src_buf_ = allocate(pd.src_desc().get_size());
      src = memory(pd.src_desc(), eng, src_buf_.get());
      src_reorder_ = make_reorder(user_src, pd.src_desc(), src_scratch);
      intermediate_ += pd.src_desc().get_size();
    }
    if (reorder_dst_) {
      dst_buf_ = allocate(pd.dst_desc().get_size());
      dst = memory(pd.dst_desc(), eng, dst_buf_.get());
      dst_reorder_ = make_reorder(pd.dst_desc(), user_dst, dst_scratch);
      intermediate_ += pd.dst_desc().get_size();
    }
    // One scratchpad serves all three primitives: they run one after the other on one stream.
    conv_scratchpad_ = pd.scratchpad_desc().get_size();
    scratchpad_ = std::max({conv_scratchpad_, src_scratch, dst_scratch});
    scratch_buf_ = allocate(scratchpad_);
    auto scratch = [&](size_t bytes) {
      return memory(memory::desc(dims{memory::dim(bytes)}, dt::u8, tag::x), eng,
                    scratch_buf_.get());
    };
    conv_args_ = {{DNNL_ARG_SRC, src},
                  {DNNL_ARG_WEIGHTS, weights},
                  {DNNL_ARG_BIAS, memory(bias_md, eng, const_cast<float*>(t.bias))},
                  {DNNL_ARG_DST, dst}};
    if (conv_scratchpad_) conv_args_[DNNL_ARG_SCRATCHPAD] = scratch(conv_scratchpad_);
    src_args_ = {{DNNL_ARG_FROM, user_src_mem}, {DNNL_ARG_TO, src}};
    if (src_scratch) src_args_[DNNL_ARG_SCRATCHPAD] = scratch(src_scratch);
    dst_args_ = {{DNNL_ARG_FROM, dst}, {DNNL_ARG_TO, user_dst_mem}};
    if (dst_scratch) dst_args_[DNNL_ARG_SCRATCHPAD] = scratch(dst_scratch);

    // Its best case starts from src already in its layout: reorder once, outside timing.
    if (!timed_reorders() && reorder_src_) {
      src_reorder_.execute(stream_, src_args_);
      stream_.wait();
    }
  }

  gemmconv_layout layout_;
  Mode mode_;
  dnnl::stream stream_;
  dnnl::convolution_forward conv_;
  dnnl::reorder src_reorder_, dst_reorder_;
  Args conv_args_, src_args_, dst_args_;
  bool reorder_src_ = false, reorder_dst_ = false;
  AlignedBuffer weights_buf_, src_buf_, dst_buf_, scratch_buf_;
  size_t conv_scratchpad_ = 0, scratchpad_ = 0, intermediate_ = 0, persistent_ = 0;
  std::string impl_, src_layout_, weights_layout_, dst_layout_;
};

}  // namespace

std::vector<std::unique_ptr<Contestant>> make_onednn_contestants(gemmconv_layout layout) {
  std::vector<std::unique_ptr<Contestant>> peers;
  if (layout == GEMMCONV_LAYOUT_NCHW)
    peers.emplace_back(new OnednnConv(layout, OnednnConv::Mode::user_layout_reordered));
  peers.emplace_back(new OnednnConv(layout, OnednnConv::Mode::plain));
  peers.emplace_back(new OnednnConv(layout, OnednnConv::Mode::blocked));
  return peers;
}

std::string onednn_reference_name(gemmconv_layout layout) {
  return layout == GEMMCONV_LAYOUT_NCHW ? "onednn-nchw" : "onednn-nhwc";
}

std::string onednn_summary() {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch) + " (" + dnnl_runtime2str(v->cpu_runtime) + "), ISA " +
         isa_name();
}

void print_onednn_info(std::FILE* out) {
  const dnnl_version_t* v = dnnl_version();
  std::fprintf(out, "oneDNN           %d.%d.%d (git %s), CPU runtime %s\n", v->major, v->minor,
               v->patch, v->hash ? v->hash : "?", dnnl_runtime2str(v->cpu_runtime));
  std::fprintf(out, "oneDNN ISA       %s (what its JIT kernels dispatch to)\n", isa_name().c_str());
  std::fprintf(out,
               "oneDNN peer      f32 forward inference, convolution_direct, user scratchpad; "
               "NCHW: onednn-plain on the user's tensors, onednn-nchw and onednn-blocked on "
               "format any; NHWC: onednn-nhwc on the user's tensors, onednn-blocked\n");
  std::fprintf(out, "oneDNN threads   OpenMP's, set to --threads\n");
}

}  // namespace bench
