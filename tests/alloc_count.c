/* gettid and the glibc allocator's internal entry points: this file is Linux and glibc only. */
#define _GNU_SOURCE
#include "alloc_count.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#if defined(__SANITIZE_ADDRESS__)
#define COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef COUNT_ALLOCATIONS
#define COUNT_ALLOCATIONS 1
#endif

static int counting;
static long allocator_calls;

/* The thread of each of the first counted calls (see alloc_count_stop). */
enum { TRACKED_CALLS = 256 };
static pid_t caller[TRACKED_CALLS];

static pid_t thread_id(void) {
  return (pid_t)syscall(SYS_gettid);
}

#if COUNT_ALLOCATIONS
extern void* __libc_malloc(size_t size);
extern void* __libc_calloc(size_t count, size_t size);
extern void* __libc_realloc(void* p, size_t size);
extern void* __libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void* p);

static void count_call(void) {
  if (__atomic_load_n(&counting, __ATOMIC_RELAXED)) {
    const long n = __atomic_fetch_add(&allocator_calls, 1, __ATOMIC_RELAXED);
    if (n < TRACKED_CALLS) __atomic_store_n(&caller[n], thread_id(), __ATOMIC_SEQ_CST);
  }
}

void* malloc(size_t size) {
  count_call();
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
  count_call();
  return __libc_calloc(count, size);
}
void* realloc(void* p, size_t size) {
  count_call();
  return __libc_realloc(p, size);
}
void free(void* p) {
  count_call();
  __libc_free(p);
}
int posix_memalign(void** out, size_t alignment, size_t size) {
  count_call();
  void* p = __libc_memalign(alignment, size);
  if (p == NULL) return 12; /* ENOMEM */
  *out = p;
  return 0;
}
void* aligned_alloc(size_t alignment, size_t size) {
  count_call();
  return __libc_memalign(alignment, size);
}
void* memalign(size_t alignment, size_t size) {
  count_call();
  return __libc_memalign(alignment, size);
}
#endif

int alloc_count_available(void) {
  return COUNT_ALLOCATIONS;
}

void alloc_count_start(void) {
  for (int i = 0; i < TRACKED_CALLS; ++i) __atomic_store_n(&caller[i], 0, __ATOMIC_SEQ_CST);
  __atomic_store_n(&allocator_calls, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n(&counting, 1, __ATOMIC_SEQ_CST);
}

/* Whether the thread is gone within a second. */
static int thread_exits(pid_t tid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%ld", (long)tid);
  const struct timespec ms = {0, 1000000};
  for (int i = 0; i < 1000; ++i) {
    if (access(path, F_OK) != 0) return 1;
    nanosleep(&ms, NULL);
  }
  return 0;
}

/* When a parallel region has fewer threads than the one before, libgomp dismisses the surplus
   workers, and each frees its thread-local storage as it exits, possibly while a later execute
   is being counted. Those calls are not the execute's: the calls of a thread that exits right
   after the window are left out. The calling thread and the workers of the current team stay
   alive (idle in libgomp's pool), so whatever they allocate is counted, and so is a call whose
   thread was not recorded yet. */
long alloc_count_stop(void) {
  __atomic_store_n(&counting, 0, __ATOMIC_SEQ_CST);
  const long calls = __atomic_load_n(&allocator_calls, __ATOMIC_SEQ_CST);
  const long tracked = calls < TRACKED_CALLS ? calls : TRACKED_CALLS;
  const pid_t self = thread_id();
  static int exited[TRACKED_CALLS];
  long kept = calls - tracked;
  for (long i = 0; i < tracked; ++i) {
    const pid_t t = __atomic_load_n(&caller[i], __ATOMIC_SEQ_CST);
    long first = i;
    for (long j = 0; j < i && first == i; ++j)
      if (caller[j] == t) first = j;
    exited[i] = first < i ? exited[first] : t != 0 && t != self && thread_exits(t);
    if (!exited[i]) ++kept;
  }
  return kept;
}

long execute_allocator_calls(const conv_case* c, gemmconv_algo algo) {
  const size_t nin = case_input_count(c), nout = case_output_count(c);
  const size_t nf = case_filter_count(c);
  float* in = malloc(nin * sizeof(float));
  float* filter = malloc(nf * sizeof(float));
  float* bias = malloc(c->desc.out_channels * sizeof(float));
  float* out = malloc(nout * sizeof(float));
  fill_random(in, nin, 21);
  fill_random(filter, nf, 22);
  fill_random(bias, c->desc.out_channels, 23);
  gemmconv_plan* plan = make_plan(c, algo, filter, c->with_bias ? bias : NULL);
  size_t bytes = 0;
  assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
  void* ws = aligned_buffer(bytes);
  assert_int_equal(gemmconv_execute(plan, in, out, ws, bytes), GEMMCONV_STATUS_SUCCESS);
  alloc_count_start();
  for (int rep = 0; rep < 3; ++rep)
    assert_int_equal(gemmconv_execute(plan, in, out, ws, bytes), GEMMCONV_STATUS_SUCCESS);
  const long calls = alloc_count_stop();
  free(ws);
  gemmconv_plan_destroy(plan);
  free(in);
  free(filter);
  free(bias);
  free(out);
  return calls;
}
