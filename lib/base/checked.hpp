// Overflow-checked size arithmetic: every element count and byte size goes through here.
#pragma once

#include <cstddef>
#include <cstdint>

#include "status.hpp"

namespace gemmconv {

// No single tensor, filter, workspace or plan may exceed this many bytes. It is beyond the user
// address space of every 64-bit target (x86-64 and AArch64 map at most 2^48 bytes per process),
// so it rejects only what could never be allocated, and keeps every element offset far inside
// int64_t, the index type of BLIS and of all loops here.
constexpr std::size_t kMaxBytes = std::size_t{1} << 48;

inline std::size_t checked_mul(std::size_t a, std::size_t b) {
  std::size_t r;
  if (__builtin_mul_overflow(a, b, &r)) fail(Status::Overflow);
  return r;
}

inline std::size_t checked_add(std::size_t a, std::size_t b) {
  std::size_t r;
  if (__builtin_add_overflow(a, b, &r)) fail(Status::Overflow);
  return r;
}

template <typename... Rest>
std::size_t checked_product(std::size_t first, Rest... rest) {
  std::size_t r = first;
  ((r = checked_mul(r, static_cast<std::size_t>(rest))), ...);
  return r;
}

// Bytes of `count` floats, rejected past kMaxBytes.
inline std::size_t float_bytes(std::size_t count) {
  std::size_t bytes = checked_mul(count, sizeof(float));
  if (bytes > kMaxBytes) fail(Status::Overflow);
  return bytes;
}

// ceil(a / b) for a >= 0, b > 0 (counts of blocks, panels, chunks).
inline int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// Rounds up to a multiple of `align` (a power of two), checked.
inline std::size_t round_up(std::size_t n, std::size_t align) {
  return checked_add(n, align - 1) & ~(align - 1);
}

}  // namespace gemmconv
