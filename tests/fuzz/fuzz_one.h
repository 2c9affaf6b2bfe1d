/* One fuzz input through the whole public API: shared by the libFuzzer target (fuzz_plan.c) and
   the replay test (../test_fuzz_replay.c) that runs the seed corpus and every saved crash input in
   each normal test run. */
#ifndef GEMMCONV_FUZZ_ONE_H
#define GEMMCONV_FUZZ_ONE_H

#include <stddef.h>
#include <stdint.h>

/* Decodes `data` into a descriptor and plan options, creates a plan, queries it, executes it with
   exactly the workspace it reports and compares the result with `direct`. Returns 0 when every
   call kept the API's contract, nonzero after printing the first violation to stderr. */
int fuzz_one(const uint8_t* data, size_t size);

/* What the calls so far have reached (not thread-safe; the harness runs one input at a time). */
typedef struct fuzz_counts {
  uint64_t inputs, plans_created, executions_compared;
} fuzz_counts;
fuzz_counts fuzz_one_counts(void);

#endif
