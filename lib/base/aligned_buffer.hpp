// An owning, 64-byte aligned float array for what a plan keeps (packed filter, bias).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <utility>

#include "checked.hpp"
#include "status.hpp"

namespace gemmconv {

constexpr std::size_t kAlignment = 64;  // GEMMCONV_WORKSPACE_ALIGNMENT, and a cache line

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t count) : count_(count) {
    if (count == 0) return;
    void* p = nullptr;
    if (posix_memalign(&p, kAlignment, round_up(float_bytes(count), kAlignment)) != 0)
      fail(Status::OutOfMemory);
    data_ = static_cast<float*>(p);
  }
  AlignedBuffer(AlignedBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(count_, other.count_);
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() { std::free(data_); }

  float* data() { return data_; }
  float operator[](std::size_t i) const { return data_[i]; }
  const float* data() const { return data_; }
  std::size_t size() const { return count_; }
  // Cannot overflow: the constructor checked float_bytes(count).
  std::size_t bytes() const { return count_ * sizeof(float); }
  bool empty() const { return count_ == 0; }

 private:
  float* data_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace gemmconv
