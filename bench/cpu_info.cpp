#include "cpu_info.hpp"

#include <algorithm>
#include <cstddef>
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

struct CodeName {
  unsigned code;
  const char* name;
};

// Implementer 0x41 (ARM)'s part numbers of the cores this library is meant for.
const CodeName kArmParts[] = {
    {0xd03, "Cortex-A53"},  {0xd04, "Cortex-A35"},  {0xd05, "Cortex-A55"},  {0xd07, "Cortex-A57"},
    {0xd08, "Cortex-A72"},  {0xd09, "Cortex-A73"},  {0xd0a, "Cortex-A75"},  {0xd0b, "Cortex-A76"},
    {0xd0c, "Neoverse-N1"}, {0xd0d, "Cortex-A77"},  {0xd40, "Neoverse-V1"}, {0xd41, "Cortex-A78"},
    {0xd49, "Neoverse-N2"}, {0xd4f, "Neoverse-V2"},
};

const CodeName kImplementers[] = {
    {0x00, "no hardware vendor (an emulator)"},
    {0x41, "ARM"},
    {0x42, "Broadcom"},
    {0x43, "Cavium"},
    {0x46, "Fujitsu"},
    {0x48, "HiSilicon"},
    {0x4e, "NVIDIA"},
    {0x51, "Qualcomm"},
    {0x61, "Apple"},
    {0xc0, "Ampere"},
};

template <std::size_t N>
const char* name_of(const CodeName (&table)[N], unsigned code, const char* otherwise) {
  for (const CodeName& entry : table)
    if (entry.code == code) return entry.name;
  return otherwise;
}

#endif

}  // namespace

std::string cpu_model() {
#if defined(__aarch64__) && defined(__linux__)
  if ((getauxval(AT_HWCAP) & HWCAP_CPUID) == 0) return "part " + cpuinfo_field("CPU part");
  uint64_t midr = 0;
  __asm__ volatile("mrs %0, MIDR_EL1" : "=r"(midr));
  const unsigned implementer = unsigned(midr >> 24) & 0xff, part = unsigned(midr >> 4) & 0xfff;
  const char* name = implementer == 0x41 ? name_of(kArmParts, part, nullptr) : nullptr;
  char text[160];
  if (name != nullptr)
    std::snprintf(text, sizeof text, "ARM %s (MIDR %#llx)", name, (unsigned long long)midr);
  else
    std::snprintf(text, sizeof text, "%s 0x%02x, part 0x%03x (MIDR %#llx)",
                  name_of(kImplementers, implementer, "implementer"), implementer, part,
                  (unsigned long long)midr);
  return text;
#else
  // A hypervisor may pass a model name without the generation ("AMD EPYC"): the family and
  // model numbers tell the cores apart. The key "model\t" matches the model number's line, not
  // "model name".
  std::string name = cpuinfo_field("model name");
  const std::string family = cpuinfo_field("cpu family"), model = cpuinfo_field("model\t");
  if (!family.empty() && !model.empty()) name += " (family " + family + ", model " + model + ")";
  return name;
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
