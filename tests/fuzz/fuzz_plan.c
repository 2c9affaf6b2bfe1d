/* The libFuzzer target over the C API (built with -Dfuzz=true by clang, see meson.build here):
   the body is fuzz_one(), shared with the replay test; a contract violation aborts so that
   libFuzzer saves the input. Save such inputs in tests/fuzz/regressions/: every test run
   replays them. At exit it prints how far the inputs got (CI quotes the line). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_one.h"

int LLVMFuzzerInitialize(int* argc, char*** argv);
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static void print_counts(void) {
  const fuzz_counts c = fuzz_one_counts();
  fprintf(stderr,
          "fuzz_plan: %llu inputs, %llu plans created, %llu executions compared with direct\n",
          (unsigned long long)c.inputs, (unsigned long long)c.plans_created,
          (unsigned long long)c.executions_compared);
}

int LLVMFuzzerInitialize(int* argc, char*** argv) {
  (void)argc;
  (void)argv;
  atexit(print_counts);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (fuzz_one(data, size) != 0) abort();
  return 0;
}
