/* A host that loads and unloads the library again and again (a plugin): 30 cycles of dlopen
   (RTLD_NOW | RTLD_LOCAL), 2-thread plans (tiled-nchw and im2col-copy-long) created, executed,
   checked against the convolution computed here from its definition, destroyed, dlclose. No
   cycle may crash (libgomp's pool threads outlive the execute that started them: the library is
   linked with -z nodelete so that they never return into unmapped code), and the resident set
   after cycle 30 may exceed that after cycle 5 by at most 1 MiB (nor may the thread count grow).
   Usage: dlopen_cycles /path/to/libgemmconv.so */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gemmconv.h>

enum { CYCLES = 30, BASELINE_CYCLE = 5, N = 1, C = 8, M = 16, H = 16, W = 16, K = 3 };
static const long RSS_GROWTH_LIMIT = 1L << 20;

typedef struct api {
  void (*conv_desc_init)(gemmconv_conv_desc*);
  void (*plan_options_init)(gemmconv_plan_options*);
  gemmconv_status (*plan_create)(const gemmconv_conv_desc*, const float*, const float*,
                                 const gemmconv_plan_options*, gemmconv_plan**);
  gemmconv_status (*plan_workspace_size)(const gemmconv_plan*, size_t*);
  gemmconv_status (*execute)(const gemmconv_plan*, const float*, float*, void*, size_t);
  void (*plan_destroy)(gemmconv_plan*);
  gemmconv_status (*algo_from_name)(const char*, gemmconv_algo*);
} api;

static float input[N * C * H * W], filter[M * C * K * K], bias[M];
static float output[N * M * H * W];
static double expected[N * M * H * W], bound[N * M * H * W];
static unsigned char workspace[1 << 22] __attribute__((aligned(64)));

static long rss_bytes(void) {
  FILE* f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (f == NULL || fscanf(f, "%ld %ld", &size, &resident) != 2) {
    if (f) fclose(f);
    return -1;
  }
  fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

static long thread_count(void) {
  FILE* f = fopen("/proc/self/status", "r");
  char line[256];
  long n = -1;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "Threads:", 8) == 0) n = strtol(line + 8, NULL, 10);
  if (f) fclose(f);
  return n;
}

static void fill(float* p, size_t n, unsigned seed) {
  unsigned s = seed * 2654435761u + 12345u;
  for (size_t i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    p[i] = (float)((s >> 8) * (1.0 / 16777216.0) * 2.0 - 1.0);
  }
}

/* NCHW, OIHW, 3x3, stride 1, padding 1, bias: from the definition, in double. */
static void reference(void) {
  for (int m = 0; m < M; ++m)
    for (int oy = 0; oy < H; ++oy)
      for (int ox = 0; ox < W; ++ox) {
        double acc = bias[m], mag = fabs(bias[m]);
        for (int c = 0; c < C; ++c)
          for (int ky = 0; ky < K; ++ky)
            for (int kx = 0; kx < K; ++kx) {
              const int iy = oy - 1 + ky, ix = ox - 1 + kx;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              const double p = (double)filter[((m * C + c) * K + ky) * K + kx] *
                               (double)input[(c * H + iy) * W + ix];
              acc += p;
              mag += fabs(p);
            }
        expected[(m * H + oy) * W + ox] = acc;
        bound[(m * H + oy) * W + ox] = 1e-5 * (1.0 + mag);
      }
}

static int load(void* lib, api* a) {
#define SYM(field, name)                                \
  do {                                                  \
    void* sym = dlsym(lib, name);                       \
    if (sym == NULL) {                                  \
      printf("FAIL: dlsym(%s): %s\n", name, dlerror()); \
      return 0;                                         \
    }                                                   \
    memcpy(&a->field, &sym, sizeof sym);                \
  } while (0)
  SYM(conv_desc_init, "gemmconv_conv_desc_init");
  SYM(plan_options_init, "gemmconv_plan_options_init");
  SYM(plan_create, "gemmconv_plan_create");
  SYM(plan_workspace_size, "gemmconv_plan_workspace_size");
  SYM(execute, "gemmconv_execute");
  SYM(plan_destroy, "gemmconv_plan_destroy");
  SYM(algo_from_name, "gemmconv_algo_from_name");
#undef SYM
  return 1;
}

/* One plan of the named algorithm, executed twice and checked in full; 1 on success. */
static int run(const api* a, const char* name, int cycle) {
  gemmconv_algo algo;
  if (a->algo_from_name(name, &algo) != GEMMCONV_STATUS_SUCCESS) {
    printf("FAIL cycle %d: no algorithm %s\n", cycle, name);
    return 0;
  }
  gemmconv_conv_desc d;
  a->conv_desc_init(&d);
  d.batch = N;
  d.in_channels = C;
  d.out_channels = M;
  d.in_height = H;
  d.in_width = W;
  d.kernel_height = d.kernel_width = K;
  d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 1;
  gemmconv_plan_options o;
  a->plan_options_init(&o);
  o.algo = algo;
  o.num_threads = 2;
  gemmconv_plan* plan = NULL;
  gemmconv_status s = a->plan_create(&d, filter, bias, &o, &plan);
  if (s != GEMMCONV_STATUS_SUCCESS) {
    printf("FAIL cycle %d: %s: plan_create status %d\n", cycle, name, (int)s);
    return 0;
  }
  size_t bytes = 0;
  a->plan_workspace_size(plan, &bytes);
  int ok = bytes <= sizeof workspace;
  if (!ok) printf("FAIL cycle %d: %s: workspace %zu bytes\n", cycle, name, bytes);
  for (int rep = 0; ok && rep < 2; ++rep) {
    memset(output, 0xFF, sizeof output);
    s = a->execute(plan, input, output, bytes ? workspace : NULL, bytes);
    if (s != GEMMCONV_STATUS_SUCCESS) {
      printf("FAIL cycle %d: %s: execute status %d\n", cycle, name, (int)s);
      ok = 0;
    }
    for (size_t i = 0; ok && i < sizeof output / sizeof *output; ++i)
      if (!(fabs((double)output[i] - expected[i]) <= bound[i])) {
        printf("FAIL cycle %d: %s: output[%zu] = %.9g, expected %.9g\n", cycle, name, i,
               (double)output[i], expected[i]);
        ok = 0;
      }
  }
  a->plan_destroy(plan);
  return ok;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc != 2) {
    fprintf(stderr, "usage: %s /path/to/libgemmconv.so\n", argv[0]);
    return 2;
  }
  fill(input, sizeof input / sizeof *input, 1);
  fill(filter, sizeof filter / sizeof *filter, 2);
  fill(bias, M, 3);
  reference();
  long rss_baseline = -1, threads_baseline = -1;
  int failed = 0;
  for (int cycle = 1; cycle <= CYCLES && !failed; ++cycle) {
    void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
      printf("FAIL cycle %d: dlopen: %s\n", cycle, dlerror());
      return 1;
    }
    api a;
    if (!load(lib, &a)) return 1;
    failed |= !run(&a, "tiled-nchw", cycle);
    failed |= !run(&a, "im2col-copy-long", cycle);
    if (dlclose(lib) != 0) {
      printf("FAIL cycle %d: dlclose: %s\n", cycle, dlerror());
      failed = 1;
    }
    const long rss = rss_bytes(), threads = thread_count();
    printf("cycle %2d: RSS %ld KiB, %ld threads\n", cycle, rss / 1024, threads);
    if (cycle == BASELINE_CYCLE) {
      rss_baseline = rss;
      threads_baseline = threads;
    }
    if (cycle == CYCLES) {
      const long growth = rss - rss_baseline;
      printf("RSS growth from cycle %d to %d: %ld KiB (limit %ld KiB)\n", BASELINE_CYCLE, CYCLES,
             growth / 1024, RSS_GROWTH_LIMIT / 1024);
      if (rss < 0 || rss_baseline < 0 || growth > RSS_GROWTH_LIMIT) {
        printf("FAIL: RSS grew by %ld bytes over %d cycles\n", growth, CYCLES - BASELINE_CYCLE);
        failed = 1;
      }
      if (threads > threads_baseline) {
        printf("FAIL: %ld threads after cycle %d, %ld after cycle %d\n", threads, CYCLES,
               threads_baseline, BASELINE_CYCLE);
        failed = 1;
      }
    }
  }
  printf("%s\n", failed ? "FAILED" : "ok");
  return failed;
}
