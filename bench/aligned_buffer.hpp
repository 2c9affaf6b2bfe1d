// A 64-byte aligned heap buffer (libgemmconv's workspace alignment, and a cache line), owned.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <utility>

namespace bench {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  // 0 bytes gives an empty buffer; get() is null when the allocation failed.
  explicit AlignedBuffer(size_t bytes)
      : data_(bytes ? std::aligned_alloc(64, (bytes + 63) / 64 * 64) : nullptr) {}
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  AlignedBuffer(AlignedBuffer&& other) noexcept : data_(std::exchange(other.data_, nullptr)) {}
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    return *this;
  }
  ~AlignedBuffer() { std::free(data_); }

  void* get() const { return data_; }
  float* floats() const { return static_cast<float*>(data_); }

 private:
  void* data_ = nullptr;
};

}  // namespace bench
