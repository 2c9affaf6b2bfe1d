// The C boundary: validates arguments, converts C structs to the internal descriptor, maps every
// exception to a status and owns the handle. No maths here.
#include <gemmconv.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>

#include "../lib/base/checked.hpp"
#include "../lib/base/status.hpp"
#include "../lib/conv/desc.hpp"
#include "../lib/library.hpp"
#include "../lib/parallel/threads.hpp"
#include "../lib/plan.hpp"

struct gemmconv_plan {
  std::unique_ptr<gemmconv::Plan> plan;
};

namespace {

using gemmconv::Failure;
using gemmconv::Status;

static_assert(int(Status::Internal) == GEMMCONV_STATUS_INTERNAL, "status enums out of step");
static_assert(int(Status::OverBudget) == GEMMCONV_STATUS_OVER_BUDGET, "status enums out of step");
static_assert(GEMMCONV_WORKSPACE_ALIGNMENT == gemmconv::kAlignment, "alignment out of step");

constexpr unsigned kKnownFlags = GEMMCONV_FLAG_MEASURE;
static_assert(GEMMCONV_FLAG_MEASURE == gemmconv::kFlagMeasure, "flag values out of step");

// Runs `body`, turning every exception into a status: nothing crosses the C boundary.
template <typename Body>
gemmconv_status guarded(Body&& body) noexcept {
  try {
    body();
    return GEMMCONV_STATUS_SUCCESS;
  } catch (const Failure& f) {
    return static_cast<gemmconv_status>(f.status());
  } catch (const std::bad_alloc&) {
    return GEMMCONV_STATUS_OUT_OF_MEMORY;
  } catch (...) {
    return GEMMCONV_STATUS_INTERNAL;
  }
}

void require(bool condition, Status status = Status::InvalidArgument) {
  if (!condition) gemmconv::fail(status);
}

// The integer a caller stored in an enum-typed field or argument. C lets any int through, but in
// C++ loading a value outside the enum's range through the enum type is undefined behaviour
// (UBSan reports it), so the bytes are read as the underlying integer type instead.
template <typename Enum>
int64_t raw_enum(const Enum& e) {
  std::underlying_type_t<Enum> value;
  std::memcpy(&value, &e, sizeof value);
  return static_cast<int64_t>(value);
}

// The geometric part of the descriptor: enough for the output size.
gemmconv::ConvDesc geometry_from_c(const gemmconv_conv_desc* c) {
  require(c != nullptr && c->struct_size >= sizeof(gemmconv_conv_desc));
  const int64_t layout = raw_enum(c->layout), filter_layout = raw_enum(c->filter_layout);
  require(layout == GEMMCONV_LAYOUT_NCHW || layout == GEMMCONV_LAYOUT_NHWC);
  require(filter_layout == GEMMCONV_FILTER_OIHW || filter_layout == GEMMCONV_FILTER_OHWI);
  gemmconv::ConvDesc d;
  d.layout = layout == GEMMCONV_LAYOUT_NCHW ? gemmconv::Layout::NCHW : gemmconv::Layout::NHWC;
  d.filter_layout = filter_layout == GEMMCONV_FILTER_OIHW ? gemmconv::FilterLayout::OIHW
                                                          : gemmconv::FilterLayout::OHWI;
  d.N = c->batch;
  d.G = c->groups;
  d.C = c->in_channels;
  d.M = c->out_channels;
  d.H = c->in_height;
  d.W = c->in_width;
  d.KH = c->kernel_height;
  d.KW = c->kernel_width;
  d.SH = c->stride_height;
  d.SW = c->stride_width;
  d.DH = c->dilation_height;
  d.DW = c->dilation_width;
  d.PT = c->pad_top;
  d.PB = c->pad_bottom;
  d.PL = c->pad_left;
  d.PR = c->pad_right;
  gemmconv::finalize_geometry(d);
  return d;
}

gemmconv::PlanOptions options_from_c(const gemmconv_plan_options* c) {
  gemmconv::PlanOptions o;
  if (c == nullptr) return o;
  require(c->struct_size >= sizeof(gemmconv_plan_options));
  const int64_t algo = raw_enum(c->algo);
  require(algo >= 0 && algo <= gemmconv::algorithm_count());
  require(c->num_threads <= uint32_t(gemmconv::kMaxThreads));
  require((c->flags & ~kKnownFlags) == 0);
  require(!std::isnan(c->output_min) && !std::isnan(c->output_max) &&
          c->output_min <= c->output_max);
  o.algo = int(algo);
  o.threads = int(c->num_threads);
  o.flags = c->flags;
  o.workspace_limit = c->workspace_limit;
  o.output_min = c->output_min;
  o.output_max = c->output_max;
  return o;
}

// Whether [a, a + a_bytes) and [b, b + b_bytes) share a byte. Written with differences so that
// no end address is formed: a buffer reaching the top of the address space cannot wrap.
bool overlaps(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) {
  const auto a0 = reinterpret_cast<std::uintptr_t>(a), b0 = reinterpret_cast<std::uintptr_t>(b);
  return a0 <= b0 ? b0 - a0 < a_bytes : a0 - b0 < b_bytes;
}

}  // namespace

extern "C" {

void gemmconv_conv_desc_init(gemmconv_conv_desc* desc) {
  if (desc == nullptr) return;
  std::memset(desc, 0, sizeof *desc);
  desc->struct_size = sizeof *desc;
  desc->layout = GEMMCONV_LAYOUT_NCHW;
  desc->filter_layout = GEMMCONV_FILTER_OIHW;
  desc->batch = desc->groups = 1;
  desc->stride_height = desc->stride_width = 1;
  desc->dilation_height = desc->dilation_width = 1;
}

void gemmconv_plan_options_init(gemmconv_plan_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
  options->algo = GEMMCONV_ALGO_AUTO;
  options->workspace_limit = SIZE_MAX;
  options->output_min = -INFINITY;
  options->output_max = INFINITY;
}

gemmconv_status gemmconv_output_dims(const gemmconv_conv_desc* desc, uint32_t* out_height,
                                     uint32_t* out_width) {
  return guarded([&] {
    require(out_height != nullptr && out_width != nullptr);
    const gemmconv::ConvDesc d = geometry_from_c(desc);
    *out_height = static_cast<uint32_t>(d.Ho);
    *out_width = static_cast<uint32_t>(d.Wo);
  });
}

gemmconv_status gemmconv_plan_create(const gemmconv_conv_desc* desc, const float* filter,
                                     const float* bias, const gemmconv_plan_options* options,
                                     gemmconv_plan** plan_out) {
  if (plan_out != nullptr) *plan_out = nullptr;
  return guarded([&] {
    require(plan_out != nullptr && filter != nullptr);
    gemmconv::ConvDesc d = geometry_from_c(desc);
    gemmconv::finalize_desc(d);
    const gemmconv::PlanOptions o = options_from_c(options);
    auto handle = std::make_unique<gemmconv_plan>();
    handle->plan = gemmconv::create_plan(d, filter, bias, o);
    *plan_out = handle.release();
  });
}

gemmconv_status gemmconv_plan_workspace_size(const gemmconv_plan* plan, size_t* bytes) {
  return guarded([&] {
    require(plan != nullptr && bytes != nullptr);
    *bytes = plan->plan->workspace_bytes;
  });
}

gemmconv_status gemmconv_plan_persistent_size(const gemmconv_plan* plan, size_t* bytes) {
  return guarded([&] {
    require(plan != nullptr && bytes != nullptr);
    *bytes = gemmconv::checked_add(sizeof(gemmconv_plan), plan->plan->persistent_bytes());
  });
}

gemmconv_status gemmconv_plan_algo(const gemmconv_plan* plan, gemmconv_algo* algo) {
  return guarded([&] {
    require(plan != nullptr && algo != nullptr);
    *algo = static_cast<gemmconv_algo>(plan->plan->algo_id);
  });
}

gemmconv_status gemmconv_execute(const gemmconv_plan* plan, const float* input, float* output,
                                 void* workspace, size_t workspace_bytes) {
  return guarded([&] {
    require(plan != nullptr && input != nullptr && output != nullptr);
    const gemmconv::Plan& p = *plan->plan;
    require(!overlaps(input, p.desc.input_bytes, output, p.desc.output_bytes));
    if (p.workspace_bytes > 0) {
      require(workspace != nullptr);
      require(workspace_bytes >= p.workspace_bytes, Status::WorkspaceTooSmall);
      require(reinterpret_cast<std::uintptr_t>(workspace) % GEMMCONV_WORKSPACE_ALIGNMENT == 0,
              Status::Misaligned);
      require(!overlaps(workspace, p.workspace_bytes, input, p.desc.input_bytes) &&
              !overlaps(workspace, p.workspace_bytes, output, p.desc.output_bytes));
    }
    gemmconv::execute_plan(p, input, output, workspace);
  });
}

gemmconv_status gemmconv_plan_candidate_count(const gemmconv_plan* plan, size_t* count) {
  return guarded([&] {
    require(plan != nullptr && count != nullptr);
    *count = plan->plan->candidates.size();
  });
}

gemmconv_status gemmconv_plan_candidate(const gemmconv_plan* plan, size_t index,
                                        gemmconv_candidate* candidate) {
  return guarded([&] {
    require(plan != nullptr && candidate != nullptr);
    require(candidate->struct_size >= sizeof(gemmconv_candidate));
    require(index < plan->plan->candidates.size());
    const gemmconv::Candidate& c = plan->plan->candidates[index];
    candidate->algo = static_cast<gemmconv_algo>(c.algo_id);
    candidate->verdict = static_cast<gemmconv_status>(c.verdict);
    candidate->workspace_bytes = c.workspace_bytes;
    candidate->estimated_seconds = c.estimated_seconds;
    candidate->measured_seconds = c.measured_seconds;
  });
}

void gemmconv_plan_destroy(gemmconv_plan* plan) {
  delete plan;
}

int gemmconv_algo_count(void) {
  return gemmconv::algorithm_count();
}

const char* gemmconv_algo_name(gemmconv_algo algo) {
  const int64_t id = raw_enum(algo);
  if (id == GEMMCONV_ALGO_AUTO) return "auto";
  if (id < 1 || id > gemmconv::algorithm_count()) return nullptr;
  return gemmconv::algorithm_name(int(id));
}

gemmconv_status gemmconv_algo_from_name(const char* name, gemmconv_algo* algo) {
  return guarded([&] {
    require(name != nullptr && algo != nullptr);
    if (std::strcmp(name, "auto") == 0) {
      *algo = GEMMCONV_ALGO_AUTO;
      return;
    }
    const int id = gemmconv::algorithm_id_by_name(name);
    require(id != 0);
    *algo = static_cast<gemmconv_algo>(id);
  });
}

const char* gemmconv_status_string(gemmconv_status status) {
  switch (raw_enum(status)) {
    case GEMMCONV_STATUS_SUCCESS:
      return "success";
    case GEMMCONV_STATUS_INVALID_ARGUMENT:
      return "invalid argument";
    case GEMMCONV_STATUS_UNSUPPORTED:
      return "the algorithm does not support this convolution";
    case GEMMCONV_STATUS_OVERFLOW:
      return "a size or index overflows its type";
    case GEMMCONV_STATUS_WORKSPACE_TOO_SMALL:
      return "workspace too small";
    case GEMMCONV_STATUS_MISALIGNED:
      return "workspace not 64-byte aligned";
    case GEMMCONV_STATUS_OUT_OF_MEMORY:
      return "out of memory";
    case GEMMCONV_STATUS_OVER_BUDGET:
      return "workspace exceeds the workspace limit";
    case GEMMCONV_STATUS_INTERNAL:
      return "internal error";
  }
  return "unknown status";
}

const char* gemmconv_version_string(void) {
  return GEMMCONV_VERSION;
}

}  // extern "C"
