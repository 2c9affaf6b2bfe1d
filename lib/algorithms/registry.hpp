// The table of algorithms, in public enum order: id i is registry()[i - 1].
#pragma once

#include "algorithm.hpp"

namespace gemmconv {

int algorithm_count();
// nullptr when id is not 1..algorithm_count().
const Algorithm* algorithm_by_id(int id);
// 0 when no algorithm has that name.
int algorithm_id_by_name(const char* name);

}  // namespace gemmconv
