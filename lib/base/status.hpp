// Internal error reporting: lib/ throws Failure, capi/ turns it into a gemmconv_status.
#pragma once

#include <exception>

namespace gemmconv {

// Same values, same order as the public gemmconv_status (capi/ checks this at compile time).
enum class Status {
  Success = 0,
  InvalidArgument,
  Unsupported,
  Overflow,
  WorkspaceTooSmall,
  Misaligned,
  OutOfMemory,
  OverBudget,
  Internal,
};

class Failure : public std::exception {
 public:
  explicit Failure(Status status) : status_(status) {}
  Status status() const noexcept { return status_; }
  const char* what() const noexcept override { return "gemmconv failure"; }

 private:
  Status status_;
};

[[noreturn]] inline void fail(Status status) {
  throw Failure(status);
}

}  // namespace gemmconv
