#include "registry.hpp"

#include <cstring>

namespace gemmconv {

extern const Algorithm kDirect;
extern const Algorithm kGemm1x1;
extern const Algorithm kIm2colCopyLong;
extern const Algorithm kIm2rowCopyShort;
extern const Algorithm kKn2row;
extern const Algorithm kKn2col;
extern const Algorithm kKn2rowAa;
extern const Algorithm kKn2colAa;
extern const Algorithm kKn2rowAs;
extern const Algorithm kKn2colAs;

namespace {
// Append only: the position is the public enum value minus one.
const Algorithm* const kRegistry[] = {
    &kDirect,
    &kGemm1x1,
    &kIm2colCopyLong,
    &kIm2rowCopyShort,
    // final enum values 13..18: positions fixed at merge
    &kKn2row,
    &kKn2col,
    &kKn2rowAa,
    &kKn2colAa,
    &kKn2rowAs,
    &kKn2colAs,
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
