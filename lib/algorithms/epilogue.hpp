// The output epilogue of the GEMM-based algorithms: bias and clamp, applied in place.
#pragma once

#include <cstdint>

#include "../plan.hpp"

namespace gemmconv {

// Adds the bias and clamps `images` consecutive output images starting at `output`.
// Does nothing when the plan has neither. Uses the plan's threads.
void apply_epilogue(const Plan& plan, float* output, int64_t images);

}  // namespace gemmconv
