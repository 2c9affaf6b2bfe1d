#include "layer_desc.hpp"

#include <cctype>
#include <fstream>
#include <map>

namespace bench {

namespace {

// Fields that a descriptor may give. The 3-D ones (id, od, kd, sd, pd, dd) are recognised only
// to say that they are not supported.
const char* const kFields[] = {"g",  "mb", "ic", "oc", "ih", "iw", "oh", "ow",
                               "kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw"};
const char* const kDepthFields[] = {"id", "od", "kd", "sd", "pd", "dd"};

bool one_of(const std::string& key, const char* const* list, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (key == list[i]) return true;
  return false;
}

// Size of the dilated kernel span along one axis (benchdnn's d is dilation minus one).
int64_t span(int64_t k, int64_t d) {
  return (k - 1) * (d + 1) + 1;
}

// One spatial axis as given: absent fields are -1.
struct Axis {
  int64_t i = -1, o = -1, k = -1, s = -1, p = -1, d = -1;
};

// Completes one axis by the rules of shapes/README.md and checks that it is consistent.
bool finish_axis(char a, Axis x, uint32_t& in, uint32_t& out, uint32_t& kernel, uint32_t& stride,
                 uint32_t& dilation, uint32_t& pad_begin, uint32_t& pad_end, std::string& error) {
  const std::string i = std::string("i") + a, o = std::string("o") + a, k = std::string("k") + a,
                    s = std::string("s") + a, p = std::string("p") + a;
  if (x.i < 0) return error = i + ": missing", false;
  if (x.k < 0) return error = k + ": missing", false;
  if (x.i == 0) return error = i + ": must be positive", false;
  if (x.k == 0) return error = k + ": must be positive", false;
  if (x.s == 0) return error = s + ": must be positive", false;
  if (x.o == 0) return error = o + ": must be positive", false;
  if (x.s < 0) x.s = 1;
  if (x.d < 0) x.d = 0;
  const int64_t extent = span(x.k, x.d);
  if (x.o < 0) {
    if (x.p < 0) x.p = 0;
    const int64_t room = x.i + 2 * x.p - extent;
    if (room < 0)
      return error = k + ": the kernel (extent " + std::to_string(extent) +
                     ") is larger than the padded input (" + std::to_string(x.i + 2 * x.p) + ")",
             false;
    x.o = room / x.s + 1;
  } else if (x.p < 0) {
    // C's truncating division, as benchdnn computes it; a negative result means no padding.
    const int64_t twice = (x.o - 1) * x.s - x.i + extent;
    x.p = twice > 0 ? twice / 2 : 0;
  }
  // The end padding is whatever makes o come out; a negative value only means trailing input
  // that no output reads, which zero end padding expresses as well (resnet_50's stride-2 1x1).
  const int64_t end = (x.o - 1) * x.s - x.i + extent - x.p;
  const int64_t e = end > 0 ? end : 0;
  const int64_t room = x.i + x.p + e - extent;
  if (room < 0 || room / x.s + 1 != x.o)
    return error = o + ": " + std::to_string(x.o) + " does not match " + i + " " +
                   std::to_string(x.i) + ", " + k + " " + std::to_string(x.k) + ", " + s + " " +
                   std::to_string(x.s) + ", " + p + " " + std::to_string(x.p) +
                   (room < 0 ? "" : " (they give " + std::to_string(room / x.s + 1) + ")"),
           false;
  if (x.o > 0xFFFFFFFFll || end > 0xFFFFFFFFll) return error = o + ": too large", false;
  in = uint32_t(x.i);
  out = uint32_t(x.o);
  kernel = uint32_t(x.k);
  stride = uint32_t(x.s);
  dilation = uint32_t(x.d);
  pad_begin = uint32_t(x.p);
  pad_end = uint32_t(e);
  return true;
}

// Splits a trailing "*N" repeat count off the name.
bool split_repeat(std::string& name, int& repeat, std::string& error) {
  const size_t star = name.rfind('*');
  if (star == std::string::npos) return true;
  const std::string digits = name.substr(star + 1);
  bool ok = !digits.empty() && digits.size() <= 6;
  for (char c : digits) ok = ok && std::isdigit(static_cast<unsigned char>(c));
  if (!ok || std::stol(digits) < 1)
    return error = "n: bad repeat count '*" + digits + "' (want *N with N >= 1)", false;
  repeat = int(std::stol(digits));
  name.resize(star);
  return true;
}

}  // namespace

bool parse_layer(const std::string& text, Layer& layer, std::string& error) {
  layer = Layer{};
  std::map<std::string, int64_t> fields;
  std::string name;
  bool named = false;
  size_t i = 0;
  while (i < text.size()) {
    const char ch = text[i];
    if (ch == '_' || std::isspace(static_cast<unsigned char>(ch))) {
      ++i;
      continue;
    }
    if (ch == '#') break;
    if (ch == 'n' && i + 1 < text.size() && text[i + 1] == '"') {
      const size_t close = text.find('"', i + 2);
      if (close == std::string::npos) return error = "n: unterminated name", false;
      if (named) return error = "n: given twice", false;
      name = text.substr(i + 2, close - i - 2);
      named = true;
      i = close + 1;
      continue;
    }
    size_t j = i;
    while (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j]))) ++j;
    const std::string key = text.substr(i, j - i);
    size_t k = j;
    while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
    if (key.empty()) return error = "unexpected text at '" + text.substr(i, 12) + "'", false;
    if (one_of(key, kDepthFields, sizeof kDepthFields / sizeof *kDepthFields))
      return error = key + ": 3-D convolutions are not supported", false;
    if (!one_of(key, kFields, sizeof kFields / sizeof *kFields))
      return error = "unknown field '" + key + "' at '" + text.substr(i, 12) + "'", false;
    if (k == j) return error = key + ": needs a non-negative number", false;
    if (k - j > 9) return error = key + ": value too large", false;
    if (fields.count(key)) return error = key + ": given twice", false;
    fields[key] = std::stoll(text.substr(j, k - j));
    i = k;
  }
  auto get = [&](const char* key) {
    auto it = fields.find(key);
    return it == fields.end() ? int64_t(-1) : it->second;
  };
  for (const char* required : {"ic", "oc"})
    if (get(required) < 0) return error = std::string(required) + ": missing", false;
  for (const char* positive : {"g", "mb", "ic", "oc"})
    if (get(positive) == 0) return error = std::string(positive) + ": must be positive", false;
  layer.g = uint32_t(get("g") < 0 ? 1 : get("g"));
  layer.mb = uint32_t(get("mb") < 0 ? 1 : get("mb"));
  layer.ic = uint32_t(get("ic"));
  layer.oc = uint32_t(get("oc"));
  if (layer.ic % layer.g != 0)
    return error = "g: ic " + std::to_string(layer.ic) + " is not a multiple of g " +
                   std::to_string(layer.g),
           false;
  if (layer.oc % layer.g != 0)
    return error = "g: oc " + std::to_string(layer.oc) + " is not a multiple of g " +
                   std::to_string(layer.g),
           false;

  Axis h, w;
  h.i = get("ih"), h.o = get("oh"), h.k = get("kh"), h.s = get("sh"), h.p = get("ph"),
  h.d = get("dh");
  w.i = get("iw"), w.o = get("ow"), w.k = get("kw"), w.s = get("sw"), w.p = get("pw"),
  w.d = get("dw");
  if (!finish_axis('h', h, layer.ih, layer.oh, layer.kh, layer.sh, layer.dh, layer.pt, layer.pb,
                   error))
    return false;
  const bool square = w.i < 0 && w.o < 0 && w.k < 0 && w.s < 0 && w.p < 0 && w.d < 0;
  if (square) {
    layer.iw = layer.ih, layer.ow = layer.oh, layer.kw = layer.kh, layer.sw = layer.sh;
    layer.dw = layer.dh, layer.pl = layer.pt, layer.pr = layer.pb;
  } else {
    // Some w field is given: the w axis stands on its own, as in benchdnn.
    if (w.i < 0)
      return error = "iw: missing (another w field is given, so the layer is not square)", false;
    if (w.k < 0)
      return error = "kw: missing (another w field is given, so the layer is not square)", false;
    if (!finish_axis('w', w, layer.iw, layer.ow, layer.kw, layer.sw, layer.dw, layer.pl, layer.pr,
                     error))
      return false;
  }
  if (!split_repeat(name, layer.repeat, error)) return false;
  if (name.empty()) {
    // Unnamed: the descriptor itself, trimmed, names the layer.
    const size_t first = text.find_first_not_of(" \t\r\n");
    const size_t last = text.find_last_not_of(" \t\r\n");
    name = first == std::string::npos ? "" : text.substr(first, last - first + 1);
  }
  layer.name = name;
  return true;
}

bool read_layer_file(const std::string& path, std::vector<Layer>& layers, std::string& error) {
  std::ifstream in(path);
  if (!in) return error = "cannot open " + path, false;
  std::string line;
  int number = 0;
  const size_t before = layers.size();
  while (std::getline(in, line)) {
    ++number;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    Layer layer;
    if (!parse_layer(line, layer, error)) {
      error = path + ":" + std::to_string(number) + ": " + error;
      return false;
    }
    layers.push_back(layer);
  }
  if (layers.size() == before) return error = path + ": no layers in the file", false;
  return true;
}

std::string network_of(const Layer& layer) {
  const size_t colon = layer.name.find(':');
  return colon == std::string::npos ? "" : layer.name.substr(0, colon);
}

gemmconv_conv_desc to_conv_desc(const Layer& l, uint32_t mb, gemmconv_layout layout) {
  gemmconv_conv_desc d;
  gemmconv_conv_desc_init(&d);
  d.layout = layout;
  d.filter_layout = GEMMCONV_FILTER_OIHW;
  d.batch = mb;
  d.groups = l.g;
  d.in_channels = l.ic;
  d.out_channels = l.oc;
  d.in_height = l.ih;
  d.in_width = l.iw;
  d.kernel_height = l.kh;
  d.kernel_width = l.kw;
  d.stride_height = l.sh;
  d.stride_width = l.sw;
  d.dilation_height = l.dh + 1;
  d.dilation_width = l.dw + 1;
  d.pad_top = l.pt;
  d.pad_bottom = l.pb;
  d.pad_left = l.pl;
  d.pad_right = l.pr;
  return d;
}

double layer_macs(const Layer& l, uint32_t mb) {
  return double(mb) * l.oc * l.oh * l.ow * (l.ic / l.g) * l.kh * l.kw;
}

}  // namespace bench
