#include "team.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace gemmconv {

namespace {

std::atomic<int> threads_in_use{0};
std::atomic<bool> forked_child{false};
thread_local int current_team = 0;

// The processors the process may run on, read once: libgomp asks the kernel on every
// omp_get_num_procs() call, a system call that costs as much as a small layer's execute. A later
// change of the affinity mask only makes the concurrency bound below stale, never a result.
#ifdef _OPENMP
int processors() {
  static const int procs = omp_get_num_procs();
  return procs;
}
#endif

void after_fork_in_child() {
  forked_child.store(true, std::memory_order_relaxed);
  threads_in_use.store(0, std::memory_order_relaxed);  // the parent's executes are not here
}

__attribute__((constructor)) void watch_fork() {
  pthread_atfork(nullptr, nullptr, after_fork_in_child);
}

}  // namespace

ExecuteTeam::ExecuteTeam(int plan_threads) : threads_(1), previous_(current_team) {
#ifdef _OPENMP
  int n = plan_threads;
  if (forked_child.load(std::memory_order_relaxed) || omp_in_parallel()) n = 1;
  n = std::min({n, omp_get_max_threads(), omp_get_thread_limit()});
  // Take up to n of the processors the executes running now leave free.
  const int procs = processors();
  int used = threads_in_use.load(std::memory_order_relaxed);
  int take = 1;
  do {
    take = std::max(1, std::min(n, procs - used));
  } while (!threads_in_use.compare_exchange_weak(used, used + take, std::memory_order_relaxed));
  threads_ = take;
#else
  (void)plan_threads;
  threads_in_use.fetch_add(1, std::memory_order_relaxed);
#endif
  current_team = threads_;
}

ExecuteTeam::~ExecuteTeam() {
  threads_in_use.fetch_sub(threads_, std::memory_order_relaxed);
  current_team = previous_;
}

int granted_threads(int plan_threads) {
  return current_team > 0 ? current_team : plan_threads;
}

bool openmp_may_shrink_teams() {
#ifdef _OPENMP
  return omp_get_dynamic() != 0;
#else
  return false;
#endif
}

}  // namespace gemmconv
