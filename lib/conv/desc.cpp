#include "desc.hpp"

#include "../base/checked.hpp"
#include "../base/status.hpp"

namespace gemmconv {

int64_t output_extent(int64_t in, int64_t pad_begin, int64_t pad_end, int64_t kernel,
                      int64_t stride, int64_t dilation) {
  // Inputs are uint32 values widened to int64: the padded size (< 3 * 2^32) cannot overflow,
  // but the kernel's span dilation * (kernel - 1) + 1 can (up to ~2^64), so it is only formed
  // once it is known to fit inside the padded size.
  const int64_t padded = in + pad_begin + pad_end;
  if (padded < 1 || kernel - 1 > (padded - 1) / dilation) return -1;
  const int64_t span = dilation * (kernel - 1) + 1;
  const int64_t out = (padded - span) / stride + 1;
  if (out > INT64_C(0xFFFFFFFF)) fail(Status::Overflow);
  return out;
}

void finalize_geometry(ConvDesc& d) {
  if (d.H < 1 || d.W < 1 || d.KH < 1 || d.KW < 1 || d.SH < 1 || d.SW < 1 || d.DH < 1 || d.DW < 1)
    fail(Status::InvalidArgument);
  d.Ho = output_extent(d.H, d.PT, d.PB, d.KH, d.SH, d.DH);
  d.Wo = output_extent(d.W, d.PL, d.PR, d.KW, d.SW, d.DW);
  if (d.Ho < 1 || d.Wo < 1) fail(Status::InvalidArgument);
}

void finalize_desc(ConvDesc& d) {
  finalize_geometry(d);
  if (d.N < 1 || d.G < 1 || d.C < 1 || d.M < 1) fail(Status::InvalidArgument);
  if (d.C % d.G != 0 || d.M % d.G != 0) fail(Status::InvalidArgument);
  using std::size_t;
  d.input_bytes = float_bytes(checked_product(size_t(d.N), d.C, d.H, d.W));
  d.output_bytes = float_bytes(checked_product(size_t(d.N), d.M, d.Ho, d.Wo));
  d.filter_bytes = float_bytes(checked_product(size_t(d.M), d.Cg(), d.KH, d.KW));
}

double conv_macs(const ConvDesc& d) {
  return double(d.N) * double(d.M) * double(d.Ho) * double(d.Wo) * double(d.Cg()) * double(d.KH) *
         double(d.KW);
}

}  // namespace gemmconv
