/* Counting calls into the C allocator, to prove that gemmconv_execute allocates nothing. A test
   executable that links alloc_count.c interposes malloc and its relatives for the whole process
   (the library, libstdc++, libgomp and BLIS all allocate through them); calls are counted only
   between alloc_count_start() and alloc_count_stop(). */
#ifndef GEMMCONV_TEST_ALLOC_COUNT_H
#define GEMMCONV_TEST_ALLOC_COUNT_H

#include "harness.h"

/* 0 under AddressSanitizer, which owns the allocator itself: tests that count skip there. */
int alloc_count_available(void);

void alloc_count_start(void);
/* The calls since alloc_count_start(), less those of threads that exit right after it (OpenMP
   workers dismissed when a smaller team follows a larger one). */
long alloc_count_stop(void);

/* Plans the case (random filter, input and bias when the case has one), executes once so that
   OpenMP can build its thread pool (that is OpenMP's, once per process and team size), then
   returns the allocator calls made by three more executions. */
long execute_allocator_calls(const conv_case* c, gemmconv_algo algo);

#endif
