#include "cpu_info.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace bench {

namespace {

std::string cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, key.size(), key) == 0) {
      const size_t colon = line.find(':');
      return colon == std::string::npos ? "" : line.substr(colon + 2);
    }
  return "";
}

bool has(const std::vector<std::string>& features, const char* name) {
  return std::find(features.begin(), features.end(), name) != features.end();
}

#if defined(__aarch64__) && defined(__linux__)

struct Capability {
  const char* name;
  int hwcap;  // AT_HWCAP or AT_HWCAP2
  unsigned long bit;
};

// The bits glibc's <sys/auxv.h> names for this kernel's ABI, in /proc/cpuinfo's spelling.
const Capability kCapabilities[] = {
    {"asimd", AT_HWCAP, HWCAP_ASIMD},       {"fp", AT_HWCAP, HWCAP_FP},
    {"asimdhp", AT_HWCAP, HWCAP_ASIMDHP},   {"asimddp", AT_HWCAP, HWCAP_ASIMDDP},
    {"asimdfhm", AT_HWCAP, HWCAP_ASIMDFHM}, {"sve", AT_HWCAP, HWCAP_SVE},
    {"sve2", AT_HWCAP2, HWCAP2_SVE2},       {"i8mm", AT_HWCAP2, HWCAP2_I8MM},
    {"bf16", AT_HWCAP2, HWCAP2_BF16},
};

// Implementer 0x41 (ARM)'s part numbers of the cores this library is meant for.
const char* arm_part_name(unsigned part) {
  switch (part) {
    case 0xd03:
      return "Cortex-A53";
    case 0xd04:
      return "Cortex-A35";
    case 0xd05:
      return "Cortex-A55";
    case 0xd07:
      return "Cortex-A57";
    case 0xd08:
      return "Cortex-A72";
    case 0xd09:
      return "Cortex-A73";
    case 0xd0a:
      return "Cortex-A75";
    case 0xd0b:
      return "Cortex-A76";
    case 0xd0c:
      return "Neoverse-N1";
    case 0xd0d:
      return "Cortex-A77";
    case 0xd40:
      return "Neoverse-V1";
    case 0xd41:
      return "Cortex-A78";
    case 0xd49:
      return "Neoverse-N2";
    case 0xd4f:
      return "Neoverse-V2";
    default:
      return nullptr;
  }
}

const char* implementer_name(unsigned implementer) {
  switch (implementer) {
    case 0x00:
      return "no hardware vendor (an emulator)";
    case 0x41:
      return "ARM";
    case 0x42:
      return "Broadcom";
    case 0x43:
      return "Cavium";
    case 0x46:
      return "Fujitsu";
    case 0x48:
      return "HiSilicon";
    case 0x4e:
      return "NVIDIA";
    case 0x51:
      return "Qualcomm";
    case 0x61:
      return "Apple";
    case 0xc0:
      return "Ampere";
    default:
      return "implementer";
  }
}

#endif

}  // namespace

std::string cpu_model() {
#if defined(__aarch64__) && defined(__linux__)
  if ((getauxval(AT_HWCAP) & HWCAP_CPUID) == 0) return "part " + cpuinfo_field("CPU part");
  uint64_t midr = 0;
  __asm__ volatile("mrs %0, MIDR_EL1" : "=r"(midr));
  const unsigned implementer = unsigned(midr >> 24) & 0xff, part = unsigned(midr >> 4) & 0xfff;
  const char* name = implementer == 0x41 ? arm_part_name(part) : nullptr;
  char text[160];
  if (name != nullptr)
    std::snprintf(text, sizeof text, "ARM %s (MIDR %#llx)", name, (unsigned long long)midr);
  else
    std::snprintf(text, sizeof text, "%s 0x%02x, part 0x%03x (MIDR %#llx)",
                  implementer_name(implementer), implementer, part, (unsigned long long)midr);
  return text;
#else
  return cpuinfo_field("model name");
#endif
}

std::vector<std::string> cpu_features() {
  std::vector<std::string> features;
#if defined(__aarch64__) && defined(__linux__)
  const unsigned long hwcap = getauxval(AT_HWCAP), hwcap2 = getauxval(AT_HWCAP2);
  for (const Capability& c : kCapabilities)
    if (((c.hwcap == AT_HWCAP ? hwcap : hwcap2) & c.bit) != 0) features.push_back(c.name);
#else
  std::istringstream flags(cpuinfo_field("flags"));
  std::set<std::string> have;
  for (std::string f; flags >> f;) have.insert(f);
  for (const char* f : {"sse2", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw",
                        "avx512vl", "avx512_vnni", "avx512_bf16"})
    if (have.count(f)) features.push_back(f);
#endif
  return features;
}

const char* widest_vector_extension() {
  const std::vector<std::string> f = cpu_features();
#if defined(__aarch64__)
  return has(f, "sve") ? "SVE" : "NEON";
#else
  return has(f, "avx512f") ? "AVX-512" : has(f, "avx2") ? "AVX2" : "no AVX2";
#endif
}

}  // namespace bench
