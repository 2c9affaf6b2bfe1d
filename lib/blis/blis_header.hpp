// The one include of BLIS. Where blis.h lives depends on how BLIS was installed (a blis.pc, one of
// Debian's flavour subdirectories, an upstream install): meson.build finds it and names it in
// GEMMCONV_BLIS_HEADER (option blis_flavour).
#pragma once

#ifndef GEMMCONV_BLIS_HEADER
#error "GEMMCONV_BLIS_HEADER is not defined: build through meson, which finds BLIS's header"
#endif
#include GEMMCONV_BLIS_HEADER
