/* Replays fuzz inputs through the fuzzer's own body, fuzz_one(), in every test run: the seed
   corpus (tests/fuzz/corpus/) and every input that once broke the library
   (tests/fuzz/regressions/). The directories come as arguments (see meson.build). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fuzz/fuzz_one.h"

static const char* corpus_dir;
static const char* regressions_dir;

static int compare_names(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

/* The regular files of dir, sorted, as a NULL-terminated array (names are malloc'd). */
static char** list_files(const char* dir) {
  DIR* d = opendir(dir);
  if (d == NULL) fail_msg("cannot open %s", dir);
  size_t count = 0, capacity = 16;
  char** names = malloc(capacity * sizeof *names);
  assert_non_null(names);
  for (struct dirent* entry; (entry = readdir(d)) != NULL;) {
    if (entry->d_name[0] == '.') continue; /* ., .. and .gitkeep-style placeholders */
    if (count + 1 >= capacity) {
      capacity *= 2;
      names = realloc(names, capacity * sizeof *names);
      assert_non_null(names);
    }
    names[count] = malloc(strlen(entry->d_name) + 1);
    assert_non_null(names[count]);
    strcpy(names[count++], entry->d_name);
  }
  closedir(d);
  qsort(names, count, sizeof *names, compare_names);
  names[count] = NULL;
  return names;
}

static unsigned char* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) fail_msg("cannot open %s", path);
  size_t capacity = 256;
  unsigned char* data = malloc(capacity);
  assert_non_null(data);
  *size = 0;
  for (size_t n; (n = fread(data + *size, 1, capacity - *size, f)) > 0;) {
    *size += n;
    if (*size == capacity) {
      capacity *= 2;
      data = realloc(data, capacity);
      assert_non_null(data);
    }
  }
  fclose(f);
  return data;
}

/* Runs every file of dir through fuzz_one; returns how many there were. */
static int replay_directory(const char* dir) {
  char** names = list_files(dir);
  int count = 0;
  for (char** name = names; *name != NULL; ++name, ++count) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, *name);
    size_t size = 0;
    unsigned char* data = read_file(path, &size);
    const int result = fuzz_one(data, size);
    free(data);
    if (result != 0) fail_msg("fuzz input %s breaks the contract (details above)", path);
  }
  for (char** name = names; *name != NULL; ++name) free(*name);
  free(names);
  printf("replayed %d inputs from %s\n", count, dir);
  return count;
}

static void seed_corpus(void** state) {
  (void)state;
  assert_true(replay_directory(corpus_dir) >= 10);
}

static void regressions(void** state) {
  (void)state;
  replay_directory(regressions_dir);
}

/* Every byte string is an input: the empty one, each single byte, and a few fixed patterns. */
static void short_inputs(void** state) {
  (void)state;
  assert_int_equal(fuzz_one(NULL, 0), 0);
  for (int b = 0; b < 256; ++b) {
    const uint8_t byte = (uint8_t)b;
    assert_int_equal(fuzz_one(&byte, 1), 0);
  }
  uint8_t ones[64], zeros[64];
  memset(ones, 0xFF, sizeof ones);
  memset(zeros, 0, sizeof zeros);
  assert_int_equal(fuzz_one(ones, sizeof ones), 0);
  assert_int_equal(fuzz_one(zeros, sizeof zeros), 0);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s CORPUS_DIR REGRESSIONS_DIR\n", argv[0]);
    return 2;
  }
  corpus_dir = argv[1];
  regressions_dir = argv[2];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(seed_corpus),
      cmocka_unit_test(regressions),
      cmocka_unit_test(short_inputs),
  };
  const int failed = cmocka_run_group_tests_name("fuzz_replay", tests, NULL, NULL);
  const fuzz_counts c = fuzz_one_counts();
  printf("fuzz_one: %llu inputs, %llu plans created, %llu executions compared with direct\n",
         (unsigned long long)c.inputs, (unsigned long long)c.plans_created,
         (unsigned long long)c.executions_compared);
  return failed;
}
