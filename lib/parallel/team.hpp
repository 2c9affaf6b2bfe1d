// How many threads one call of gemmconv_execute runs on: the plan's thread count is a ceiling.
// The call gets what OpenMP will grant at that moment and what the machine has left:
//   - one thread inside a caller's parallel region (nesting would multiply the caller's
//     threads), and one in a fork()ed child of a process that ran OpenMP threads (libgomp's
//     pool does not survive fork: a child that starts a team hangs);
//   - at most omp_get_max_threads() and the OpenMP thread limit;
//   - at most the processors not already taken by other executes running at the same time
//     (one always), so pthreads executing concurrently share the cores instead of spinning
//     against each other.
// Every algorithm computes each output the same way whatever its thread count, so the results
// do not depend on what was granted.
#pragma once

namespace gemmconv {

class ExecuteTeam {
 public:
  explicit ExecuteTeam(int plan_threads);
  ~ExecuteTeam();
  ExecuteTeam(const ExecuteTeam&) = delete;
  ExecuteTeam& operator=(const ExecuteTeam&) = delete;
  int threads() const { return threads_; }

 private:
  int threads_;
  int previous_;  // the team of an enclosing execute on this thread (MEASURE), or 0
};

// The threads granted to the execute running on the calling thread; `plan_threads` outside one.
int granted_threads(int plan_threads);

// Whether OpenMP may give a parallel region fewer threads than it asks for (OMP_DYNAMIC):
// BLIS aborts when that happens, so it then gets one thread.
bool openmp_may_shrink_teams();

}  // namespace gemmconv
