#include "layer_desc.hpp"

#include <cctype>
#include <fstream>
#include <map>

namespace bench {

namespace {

// Size of the dilated kernel span along one axis (benchdnn's d is dilation minus one).
int64_t span(uint32_t k, uint32_t d) {
  return (int64_t(k) - 1) * (int64_t(d) + 1) + 1;
}

bool finish_axis(const char* axis, uint32_t in, uint32_t k, uint32_t s, uint32_t d, bool has_p,
                 uint32_t& p, bool has_o, uint32_t& o, uint32_t& pad_end, std::string& error) {
  if (in == 0 || k == 0 || s == 0) {
    error = std::string("i") + axis + ", k" + axis + " and s" + axis + " must be positive";
    return false;
  }
  if (!has_o) {
    const int64_t num = int64_t(in) - span(k, d) + 2 * int64_t(p);
    if (num < 0) {
      error = std::string("k") + axis + ": kernel larger than the padded input";
      return false;
    }
    o = uint32_t(num / s + 1);
  } else if (!has_p) {
    const int64_t twice = (int64_t(o) - 1) * s - in + span(k, d);
    p = twice > 0 ? uint32_t(twice / 2) : 0;
  }
  // The end padding is whatever makes o come out; a negative value means trailing input is
  // never read, which zero end padding expresses as well.
  const int64_t end = (int64_t(o) - 1) * s - in + span(k, d) - p;
  pad_end = end > 0 ? uint32_t(end) : 0;
  const int64_t check = (int64_t(in) + p + pad_end - span(k, d)) / s + 1;
  if (o == 0 || check != o) {
    error = std::string("o") + axis + " = " + std::to_string(o) + " does not match i" + axis +
            ", k" + axis + ", s" + axis + ", p" + axis;
    return false;
  }
  return true;
}

}  // namespace

bool parse_layer(const std::string& text, Layer& layer, std::string& error) {
  layer = Layer{};
  std::map<std::string, uint32_t> fields;
  std::string name;
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
      if (close == std::string::npos) {
        error = "n: unterminated name";
        return false;
      }
      name = text.substr(i + 2, close - i - 2);
      i = close + 1;
      continue;
    }
    size_t j = i;
    while (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j]))) ++j;
    const std::string key = text.substr(i, j - i);
    size_t k = j;
    while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
    if (key.empty() || k == j) {
      error = "unexpected text at '" + text.substr(i, 12) + "'";
      return false;
    }
    static const char* const known[] = {"g",  "mb", "ic", "ih", "iw", "oc", "oh", "ow",
                                        "kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw"};
    bool ok = false;
    for (const char* kk : known) ok = ok || key == kk;
    if (!ok) {
      error = "unknown field '" + key + "'";
      return false;
    }
    const unsigned long long v = std::stoull(text.substr(j, k - j));
    if (v > 0xFFFFFFFFull) {
      error = key + ": value too large";
      return false;
    }
    fields[key] = uint32_t(v);
    i = k;
  }
  for (const char* required : {"ic", "oc", "ih", "kh"})
    if (!fields.count(required)) {
      error = std::string(required) + ": missing";
      return false;
    }
  auto get = [&](const char* key, uint32_t fallback) {
    auto it = fields.find(key);
    return it == fields.end() ? fallback : it->second;
  };
  // Square by default: a missing width field takes its height counterpart.
  layer.g = get("g", 1);
  layer.mb = get("mb", 1);
  layer.ic = get("ic", 0);
  layer.oc = get("oc", 0);
  layer.ih = get("ih", 0);
  layer.iw = get("iw", layer.ih);
  layer.kh = get("kh", 0);
  layer.kw = get("kw", layer.kh);
  layer.sh = get("sh", 1);
  layer.sw = get("sw", layer.sh);
  layer.dh = get("dh", 0);
  layer.dw = get("dw", layer.dh);
  layer.pt = get("ph", 0);
  layer.pl = get("pw", fields.count("pw") ? 0 : layer.pt);
  layer.oh = get("oh", 0);
  layer.ow = get("ow", layer.oh);
  const bool has_ph = fields.count("ph") > 0, has_pw = has_ph || fields.count("pw") > 0;
  const bool has_oh = fields.count("oh") > 0, has_ow = has_oh || fields.count("ow") > 0;
  if (layer.g == 0 || layer.mb == 0 || layer.ic == 0 || layer.oc == 0) {
    error = "g, mb, ic and oc must be positive";
    return false;
  }
  if (layer.ic % layer.g != 0 || layer.oc % layer.g != 0) {
    error = "g: ic and oc must be multiples of g";
    return false;
  }
  if (!finish_axis("h", layer.ih, layer.kh, layer.sh, layer.dh, has_ph, layer.pt, has_oh, layer.oh,
                   layer.pb, error) ||
      !finish_axis("w", layer.iw, layer.kw, layer.sw, layer.dw, has_pw, layer.pl, has_ow, layer.ow,
                   layer.pr, error))
    return false;
  const size_t star = name.rfind('*');
  if (star != std::string::npos) {
    layer.repeat = std::atoi(name.c_str() + star + 1);
    name.resize(star);
    if (layer.repeat < 1) {
      error = "n: bad repeat count";
      return false;
    }
  }
  layer.name = name.empty() ? text : name;
  return true;
}

bool read_layer_file(const std::string& path, std::vector<Layer>& layers, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot open " + path;
    return false;
  }
  std::string line;
  int number = 0;
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
  return true;
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
