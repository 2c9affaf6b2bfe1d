#!/usr/bin/env python3
"""Writes the seed corpus (corpus/) and the hand-made regression inputs (regressions/) in the
input format documented at the top of fuzz_one.c. Rerun after changing that format."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

NHWC, OHWI, BIAS, CLAMP, OPTIONS_NULL, LOOSE_CHANNELS, WILD, ODD = (1 << i for i in range(8))
# Extreme values selected by a wild dimension byte (0xF0 + index), see extreme_value().
ZERO, HUGE_2_16, HUGE_2_31, U32_MAX_1, U32_MAX = 0xF0, 0xF6, 0xFA, 0xFC, 0xFD


def encode(flags=BIAS, n=1, g=1, cg=3, mg=4, h=7, w=8, kh=3, kw=3, sh=1, sw=1, dh=1, dw=1,
           pads=(1, 1, 1, 1), raw=None, wild_enum=None, wild_raw=b"", algo=0, threads=2, opt_flags=0,
           limit=0, clamp_lo=0x60, clamp_span=0x40, odd=None, tail=b"seed"):
    """Small values are given as they are meant; `raw` overrides dimension bytes by name."""
    dims = dict(n=n - 1, g=g - 1, cg=cg - 1, mg=mg - 1, h=h - 1, w=w - 1, kh=kh - 1, kw=kw - 1,
                sh=sh - 1, sw=sw - 1, dh=dh - 1, dw=dw - 1, pt=pads[0], pb=pads[1], pl=pads[2],
                pr=pads[3])
    dims.update(raw or {})
    out = bytes([flags]) + bytes(dims[k] for k in
                                 "n g cg mg h w kh kw sh sw dh dw pt pb pl pr".split())
    if flags & WILD:
        out += bytes([wild_enum if wild_enum is not None else 0]) + wild_raw
    out += bytes([algo, threads, opt_flags, limit, clamp_lo, clamp_span])
    if flags & ODD:
        out += bytes([odd])
    return out + tail


CORPUS = {
    "nchw_3x3_auto": encode(),
    "nhwc_3x3_im2row": encode(flags=NHWC | BIAS, algo=4),
    "nchw_1x1_gemm": encode(kh=1, kw=1, pads=(0, 0, 0, 0), algo=2, threads=1),
    "nchw_strided_dilated_im2col": encode(h=10, w=9, sh=2, sw=3, dh=2, dw=2, pads=(2, 0, 1, 3),
                                          algo=3),
    "nhwc_depthwise_ohwi": encode(flags=NHWC | OHWI, g=3, cg=1, mg=2, h=9, w=6, threads=3),
    "clamp_bias_direct": encode(flags=BIAS | CLAMP, algo=1, clamp_lo=0x60, clamp_span=0x40),
    "auto_zero_workspace_limit": encode(limit=0xF0),
    "im2col_over_budget": encode(algo=3, limit=0xC0),
    "algo_out_of_range": encode(algo=0xF1),
    "batch_measure": encode(n=3, g=2, cg=2, mg=3, opt_flags=7, threads=0),
    "options_null": encode(flags=OPTIONS_NULL | NHWC, kh=2, kw=4, pads=(0, 1, 3, 0)),
    "bigger_structs": encode(flags=ODD | BIAS, odd=2),
    "channels_not_multiple": encode(flags=LOOSE_CHANNELS, g=2, cg=3, mg=4),
    "wild_input_overflow": encode(flags=WILD, raw=dict(n=HUGE_2_16, cg=HUGE_2_16, h=HUGE_2_16,
                                                       w=HUGE_2_16)),
    "wild_zero_height": encode(flags=WILD, raw=dict(h=ZERO)),
    "wild_threads_limit": encode(flags=WILD, threads=0xF0),
}

# Inputs that once broke the library (each fixed; replayed by every test run).
REGRESSIONS = {
    # dilation * (kernel - 1) with both at 2^32 - 1 overflowed int64 in output_extent (UBSan).
    "dilated_span_int64_overflow": encode(flags=WILD, raw=dict(kh=U32_MAX, dh=U32_MAX,
                                                               kw=U32_MAX, dw=U32_MAX)),
    # layout = 2 was loaded through the C++ enum type in capi/ (UBSan: invalid enum load).
    "layout_out_of_enum_range": encode(flags=WILD, wild_enum=0xFF, wild_raw=bytes([2, 0, 0, 0])),
}


def write(directory, files):
    os.makedirs(os.path.join(HERE, directory), exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(HERE, directory, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("corpus", CORPUS)
    write("regressions", REGRESSIONS)
