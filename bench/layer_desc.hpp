// Convolution layers in oneDNN benchdnn's descriptor format (see ../shared/shapes/README.md),
// e.g. `g2mb256ic96ih27oc256oh27kh5ph2n"alexnet:conv2*2"`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <gemmconv.h>

namespace bench {

struct Layer {
  std::string name;  // without the "*N" repeat suffix
  int repeat = 1;    // how often the layer occurs in its network
  uint32_t g = 1, mb = 1, ic = 0, oc = 0, ih = 0, iw = 0, oh = 0, ow = 0;
  uint32_t kh = 0, kw = 0, sh = 1, sw = 1, dh = 0, dw = 0;  // dh, dw: dilation minus one
  uint32_t pt = 0, pb = 0, pl = 0, pr = 0;  // bottom/right: whatever makes oh/ow come out
};

// Parses one descriptor by benchdnn's rules: a missing w-axis field set (none of iw kw ow sw
// pw dw given) copies the h axis; an absent oh is computed, an absent ph derived from oh; the
// end padding is what makes oh come out (clamped at 0: a negative one only drops trailing
// input that no output reads). On error returns false and sets `error` to a message that
// starts with the offending field ("kh: missing").
bool parse_layer(const std::string& text, Layer& layer, std::string& error);

// Reads every descriptor in a file ('#' comments and blank lines skipped); errors name the
// file and line. A file without any layer is an error.
bool read_layer_file(const std::string& path, std::vector<Layer>& layers, std::string& error);

// The network a layer belongs to: its name up to the first ':' ("vgg_19"), or "".
std::string network_of(const Layer& layer);

// The library's descriptor for the layer, batch replaced by `mb` and layout by `layout`;
// the filter is OIHW.
gemmconv_conv_desc to_conv_desc(const Layer& layer, uint32_t mb, gemmconv_layout layout);

// Multiply-adds of the layer at batch `mb`.
double layer_macs(const Layer& layer, uint32_t mb);

}  // namespace bench
