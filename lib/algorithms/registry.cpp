#include "registry.hpp"

#include <cstring>

namespace gemmconv {

extern const Algorithm kDirect;
extern const Algorithm kGemm1x1;
extern const Algorithm kIm2colCopyLong;
extern const Algorithm kIm2rowCopyShort;
extern const Algorithm kTiledNchw;
extern const Algorithm kTiledNhwc;

namespace {
// Append only: the position is the public enum value minus one.
const Algorithm* const kRegistry[] = {
    &kDirect,
    &kGemm1x1,
    &kIm2colCopyLong,
    &kIm2rowCopyShort,
    // final enum values 19, 20: positions fixed at merge
    &kTiledNchw,
    &kTiledNhwc,
};
constexpr int kCount = sizeof(kRegistry) / sizeof(kRegistry[0]);
}  // namespace

int algorithm_count() {
  return kCount;
}

const Algorithm* algorithm_by_id(int id) {
  return id >= 1 && id <= kCount ? kRegistry[id - 1] : nullptr;
}

int algorithm_id_by_name(const char* name) {
  for (int i = 0; i < kCount; ++i)
    if (std::strcmp(kRegistry[i]->name, name) == 0) return i + 1;
  return 0;
}

}  // namespace gemmconv
