// The overflow-checked size arithmetic at its limits. The one test that sees the library's
// internals: lib/conv/checked.hpp is header-only, so it is included directly.
#include <cstddef>
#include <cstdint>
#include <limits>

// Before cmocka.h, which defines a macro fail() that would clash with gemmconv::fail().
#include "../lib/base/checked.hpp"

// cmocka.h needs these first.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

// This cmocka.h has no extern "C" guard of its own.
extern "C" {
#include <cmocka.h>
}

namespace {

using gemmconv::Failure;
using gemmconv::kMaxBytes;
using gemmconv::Status;
using std::size_t;

constexpr size_t kMax = std::numeric_limits<size_t>::max();

// Runs `f` and reports the status it failed with, or Success when it returned.
template <typename F>
Status status_of(F f) {
  try {
    (void)f();
    return Status::Success;
  } catch (const Failure& failure) {
    return failure.status();
  }
}

#define EXPECT_OVERFLOW(expression) \
  assert_int_equal(int(status_of([&] { return expression; })), int(Status::Overflow))

void multiplication(void**) {
  using gemmconv::checked_mul;
  assert_int_equal(checked_mul(0, kMax), 0);
  assert_int_equal(checked_mul(kMax, 0), 0);
  assert_true(checked_mul(1, kMax) == kMax);
  assert_true(checked_mul(kMax, 1) == kMax);
  // 2^32 * 2^32 = 2^64: the smallest power-of-two product that wraps.
  const size_t two32 = size_t{1} << 32;
  assert_true(checked_mul(two32, two32 - 1) == kMax - two32 + 1);
  EXPECT_OVERFLOW(checked_mul(two32, two32));
  // The exact boundary: kMax / 3 * 3 fits, one more multiplicand step does not.
  assert_true(checked_mul(kMax / 3, 3) == kMax / 3 * 3);
  EXPECT_OVERFLOW(checked_mul(kMax / 3 + 1, 3));
  EXPECT_OVERFLOW(checked_mul(kMax / 2 + 1, 2));
  EXPECT_OVERFLOW(checked_mul(kMax, kMax));
  // Factors of 2^32 - 1 (uint32 dimensions at their maximum).
  const size_t u32 = UINT32_MAX;
  assert_true(checked_mul(u32, u32) == 0xFFFFFFFE00000001u);
  EXPECT_OVERFLOW(checked_mul(checked_mul(u32, u32), 2));
}

void addition(void**) {
  using gemmconv::checked_add;
  assert_true(checked_add(kMax, 0) == kMax);
  assert_true(checked_add(0, kMax) == kMax);
  assert_true(checked_add(kMax - 1, 1) == kMax);
  EXPECT_OVERFLOW(checked_add(kMax, 1));
  EXPECT_OVERFLOW(checked_add(1, kMax));
  EXPECT_OVERFLOW(checked_add(kMax / 2 + 1, kMax / 2 + 1));
  assert_true(checked_add(kMax / 2, kMax / 2 + 1) == kMax);
}

void products(void**) {
  using gemmconv::checked_product;
  assert_int_equal(checked_product(size_t{7}), 7);
  assert_int_equal(checked_product(size_t{2}, 3, 5, 7), 210);
  // Mixed argument types are widened to size_t before multiplying.
  assert_true(checked_product(size_t{1}, int64_t{1} << 40, 1u << 20) == size_t{1} << 60);
  assert_true(checked_product(size_t{1} << 16, 1 << 16, 1 << 16, 1 << 15) == size_t{1} << 63);
  EXPECT_OVERFLOW(checked_product(size_t{1} << 16, 1 << 16, 1 << 16, 1 << 16));
  // Evaluated left to right, failing at the first step that does not fit even when a later
  // factor is zero (harmless: dimensions are validated >= 1 before any product is formed).
  EXPECT_OVERFLOW(checked_product(kMax, 2, 0));
  assert_int_equal(checked_product(size_t{0}, kMax, kMax), 0);
  // Four uint32 dimensions at their maximum (N * C * H * W of the worst descriptor).
  const uint32_t u = UINT32_MAX;
  EXPECT_OVERFLOW(checked_product(size_t{u}, u, u, u));
}

void float_bytes_limit(void**) {
  using gemmconv::float_bytes;
  assert_int_equal(float_bytes(0), 0);
  assert_int_equal(float_bytes(1), sizeof(float));
  // kMaxBytes itself is allowed, one float more is not.
  assert_true(float_bytes(kMaxBytes / sizeof(float)) == kMaxBytes);
  EXPECT_OVERFLOW(float_bytes(kMaxBytes / sizeof(float) + 1));
  // Counts whose byte size wraps size_t.
  EXPECT_OVERFLOW(float_bytes(kMax / sizeof(float) + 1));
  EXPECT_OVERFLOW(float_bytes(kMax));
  // Fits size_t but is past kMaxBytes.
  EXPECT_OVERFLOW(float_bytes(kMax / sizeof(float)));
  // 2^31 + 1 floats (a tensor past int32 indices) is an ordinary size.
  assert_true(float_bytes((size_t{1} << 31) + 1) == (size_t{1} << 33) + 4);
  // kMaxBytes keeps every element offset far inside int64_t (the library's index type).
  static_assert(kMaxBytes / sizeof(float) < size_t{INT64_MAX}, "offsets must fit int64_t");
  static_assert(kMaxBytes <= std::numeric_limits<size_t>::max(), "kMaxBytes must fit size_t");
}

void rounding_up(void**) {
  using gemmconv::round_up;
  assert_int_equal(round_up(0, 64), 0);
  assert_int_equal(round_up(1, 64), 64);
  assert_int_equal(round_up(64, 64), 64);
  assert_int_equal(round_up(65, 64), 128);
  assert_int_equal(round_up(5, 1), 5);
  // The largest multiple of 64 is its own rounding; anything above it cannot be rounded.
  const size_t top = kMax & ~size_t{63};
  assert_true(round_up(top, 64) == top);
  assert_true(round_up(top - 63, 64) == top);
  EXPECT_OVERFLOW(round_up(top + 1, 64));
  EXPECT_OVERFLOW(round_up(kMax, 64));
  EXPECT_OVERFLOW(round_up(kMax, 2));
  assert_true(round_up(kMax - 1, 2) == kMax - 1);
  assert_true(round_up(kMax, 1) == kMax);
}

}  // namespace

int main() {
  const CMUnitTest tests[] = {
      cmocka_unit_test(multiplication), cmocka_unit_test(addition),
      cmocka_unit_test(products),       cmocka_unit_test(float_bytes_limit),
      cmocka_unit_test(rounding_up),
  };
  return cmocka_run_group_tests_name("checked", tests, nullptr, nullptr);
}
