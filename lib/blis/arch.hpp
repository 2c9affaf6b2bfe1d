// Which BLIS sub-configuration (micro-kernel family) runs, and making sure it is the best one.
#pragma once

namespace gemmconv {

// Initialises BLIS once per process with the best kernel the CPU supports (see arch.cpp).
// Also runs when the library is loaded; calling it again is free.
void ensure_blis_ready();

// BLIS's name for the sub-configuration in use ("skx", "haswell", "zen3", ...).
const char* blis_arch_name();

// Why the configuration is not the one BLIS_ARCH_TYPE asked for, or "".
const char* blis_arch_note();

}  // namespace gemmconv
