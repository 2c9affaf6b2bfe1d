#include "algo_select.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cstdint>

#include <gemmconv.h>

namespace bench {

namespace {

std::vector<std::string> registered() {
  std::vector<std::string> names;
  for (int a = 1; a <= gemmconv_algo_count(); ++a)
    names.push_back(gemmconv_algo_name(gemmconv_algo(a)));
  return names;
}

std::vector<std::string> split(const std::string& spec) {
  std::vector<std::string> items;
  size_t start = 0;
  for (;;) {
    const size_t comma = spec.find(',', start);
    const std::string item =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) items.push_back(item);
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

}  // namespace

bool split_limit(const std::string& item, std::string& name, size_t& limit) {
  const size_t at = item.find('@');
  name = item.substr(0, at);
  if (at == std::string::npos) return true;
  const std::string digits = item.substr(at + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
      digits.size() > 19)
    return false;
  limit = size_t(std::stoull(digits));
  return true;
}

bool select_algorithms(const std::string& spec, bool skip_unknown, std::vector<std::string>& names,
                       std::vector<std::string>& skipped, std::string& error) {
  const std::vector<std::string> known = registered();
  auto add_name = [&](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const std::string& full : split(spec)) {
    std::string item;
    size_t limit = SIZE_MAX;
    if (!split_limit(full, item, limit)) {
      error = "--algo: '" + full + "': a workspace limit is NAME@BYTES, BYTES in decimal";
      return false;
    }
    const std::string suffix = full.substr(item.size());
    auto add = [&](const std::string& name) { add_name(name + suffix); };
    if (item == "all") {
      for (const std::string& k : known) add(k);
      add("auto");
      continue;
    }
    if (item == "auto" || item == "auto-measure") {
      add(item);
      continue;
    }
    bool matched = false;
    for (const std::string& k : known)
      if (fnmatch(item.c_str(), k.c_str(), 0) == 0) {
        add(k);
        matched = true;
      }
    if (matched) continue;
    if (!skip_unknown) {
      error = "--algo: no algorithm '" + full + "' in this build (known: all, auto";
      for (const std::string& k : known) error += ", " + k;
      error += ")";
      return false;
    }
    skipped.push_back(full);
  }
  if (names.empty()) {
    error = "--algo: nothing to run";
    return false;
  }
  return true;
}

}  // namespace bench
