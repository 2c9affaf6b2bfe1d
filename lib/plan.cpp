#include "plan.hpp"

#include "base/checked.hpp"
#include "parallel/team.hpp"

namespace gemmconv {

std::size_t Plan::persistent_bytes() const {
  return checked_add(
      checked_add(checked_add(sizeof(Plan), filter.bytes()), state ? state->bytes() : 0),
      checked_add(bias.bytes(), checked_mul(candidates.size(), sizeof(Candidate))));
}

int Plan::team() const {
  return granted_threads(threads);
}

}  // namespace gemmconv
