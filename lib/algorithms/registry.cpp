#include "registry.hpp"

#include <cstring>

namespace gemmconv {

extern const Algorithm kDirect;
extern const Algorithm kGemm1x1;
extern const Algorithm kIm2colCopyLong;
extern const Algorithm kIm2rowCopyShort;
extern const Algorithm kIm2colScan;
extern const Algorithm kIm2colCopyShort;
extern const Algorithm kIm2colCopySelf;
extern const Algorithm kIm2rowScan;
extern const Algorithm kIm2rowCopyLong;
extern const Algorithm kIm2rowCopySelf;
extern const Algorithm kMecCol;
extern const Algorithm kMecRow;
extern const Algorithm kKn2row;
extern const Algorithm kKn2col;
extern const Algorithm kKn2rowAa;
extern const Algorithm kKn2colAa;
extern const Algorithm kKn2rowAs;
extern const Algorithm kKn2colAs;
extern const Algorithm kTiledNchw;
extern const Algorithm kTiledNhwc;
extern const Algorithm kDepthwiseNchw;
extern const Algorithm kDepthwiseNhwc;
extern const Algorithm kGroupedNhwc;
extern const Algorithm kGroupedNchw;
extern const Algorithm kChannelsNchw;
extern const Algorithm kPointwiseNchw;
extern const Algorithm kRowsNchw;
extern const Algorithm kChannelsStagedNchw;

namespace {
// Append only: the position is the public enum value minus one.
const Algorithm* const kRegistry[] = {
    &kDirect,              // 1
    &kGemm1x1,             // 2
    &kIm2colCopyLong,      // 3
    &kIm2rowCopyShort,     // 4
    &kIm2colScan,          // 5
    &kIm2colCopyShort,     // 6
    &kIm2colCopySelf,      // 7
    &kIm2rowScan,          // 8
    &kIm2rowCopyLong,      // 9
    &kIm2rowCopySelf,      // 10
    &kMecCol,              // 11
    &kMecRow,              // 12
    &kKn2row,              // 13
    &kKn2col,              // 14
    &kKn2rowAa,            // 15
    &kKn2colAa,            // 16
    &kKn2rowAs,            // 17
    &kKn2colAs,            // 18
    &kTiledNchw,           // 19
    &kTiledNhwc,           // 20
    &kDepthwiseNchw,       // 21
    &kDepthwiseNhwc,       // 22
    &kGroupedNhwc,         // 23
    &kGroupedNchw,         // 24
    &kChannelsNchw,        // 25
    &kPointwiseNchw,       // 26
    &kRowsNchw,            // 27
    &kChannelsStagedNchw,  // 28
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
