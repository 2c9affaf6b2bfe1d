// Expands the --algo list into algorithm names.
#pragma once

#include <string>
#include <vector>

namespace bench {

// `spec` is a comma-separated list of items, each "all" (every registered algorithm, then
// "auto"), "auto", "auto-measure" (AUTO with GEMMCONV_FLAG_MEASURE), an algorithm name, or a shell
// pattern over the registered names
// ("im2col-*"), any of them followed by "@BYTES" (the plan's own workspace_limit, kept in the
// names that come out: "tiled-nchw@65536"). Names come out once each, in the order given. An
// item naming nothing
// registered is an error, or with `skip_unknown` goes to `skipped` (so a list can name
// algorithms that only some builds have). Returns false with `error` set on failure.
// Splits "NAME@BYTES" into NAME and BYTES; a name without "@" leaves `limit` alone. False when
// BYTES is not a decimal number.
bool split_limit(const std::string& item, std::string& name, size_t& limit);

bool select_algorithms(const std::string& spec, bool skip_unknown, std::vector<std::string>& names,
                       std::vector<std::string>& skipped, std::string& error);

}  // namespace bench
