//! Real convolutions through every algorithm the library has, against a naive Rust reference.

use gemmconv::{Algo, ConvDesc, Error, FilterLayout, Layout, Options, Plan, Workspace};

/// Deterministic values in [-1, 1).
fn data(len: usize, seed: u64) -> Vec<f32> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// The definition, in f64: every output and the bound sum |filter * input| over its receptive
/// field that the tolerance 1e-5 * (1 + bound) of the API contract is relative to.
fn reference(
    d: &ConvDesc,
    x: &[f32],
    f: &[f32],
    bias: Option<&[f32]>,
    clamp: Option<(f32, f32)>,
) -> (Vec<f64>, Vec<f64>) {
    let (ho, wo) = d.output_dims().unwrap();
    let [n_, c_, h_, w_] = [d.batch, d.in_channels, d.in_height, d.in_width].map(|v| v as usize);
    let [m_, g_, kh_, kw_] =
        [d.out_channels, d.groups, d.kernel_height, d.kernel_width].map(|v| v as usize);
    let (ho, wo) = (ho as usize, wo as usize);
    let (cg, mg) = (c_ / g_, m_ / g_);
    let x_at = |n: usize, c: usize, y: usize, xx: usize| match d.layout {
        Layout::Nchw => x[((n * c_ + c) * h_ + y) * w_ + xx],
        Layout::Nhwc => x[((n * h_ + y) * w_ + xx) * c_ + c],
    };
    let f_at = |m: usize, c: usize, ky: usize, kx: usize| match d.filter_layout {
        FilterLayout::Oihw => f[((m * cg + c) * kh_ + ky) * kw_ + kx],
        FilterLayout::Ohwi => f[((m * kh_ + ky) * kw_ + kx) * cg + c],
    };
    let out_index = |n: usize, m: usize, y: usize, xx: usize| match d.layout {
        Layout::Nchw => ((n * m_ + m) * ho + y) * wo + xx,
        Layout::Nhwc => ((n * ho + y) * wo + xx) * m_ + m,
    };
    let mut y = vec![0.0; n_ * m_ * ho * wo];
    let mut bound = vec![0.0; y.len()];
    for n in 0..n_ {
        for m in 0..m_ {
            let group = m / mg;
            for oy in 0..ho {
                for ox in 0..wo {
                    let mut acc = bias.map_or(0.0, |b| b[m] as f64);
                    let mut abs = 0.0;
                    for c in 0..cg {
                        for ky in 0..kh_ {
                            for kx in 0..kw_ {
                                let iy = (oy * d.stride_height as usize
                                    + ky * d.dilation_height as usize)
                                    as i64
                                    - d.pad_top as i64;
                                let ix = (ox * d.stride_width as usize
                                    + kx * d.dilation_width as usize)
                                    as i64
                                    - d.pad_left as i64;
                                if iy < 0 || ix < 0 || iy >= h_ as i64 || ix >= w_ as i64 {
                                    continue;
                                }
                                let p = f_at(m, c, ky, kx) as f64
                                    * x_at(n, group * cg + c, iy as usize, ix as usize) as f64;
                                acc += p;
                                abs += p.abs();
                            }
                        }
                    }
                    if let Some((lo, hi)) = clamp {
                        acc = acc.max(lo as f64).min(hi as f64);
                    }
                    y[out_index(n, m, oy, ox)] = acc;
                    bound[out_index(n, m, oy, ox)] = abs;
                }
            }
        }
    }
    (y, bound)
}

/// Runs `desc` through AUTO and every algorithm that supports it; returns the ones that ran.
fn check_every_algorithm(desc: &ConvDesc, with_bias: bool, clamp: Option<(f32, f32)>) -> Vec<Algo> {
    let filter = data(desc.filter_len().unwrap(), 1);
    let input = data(desc.input_len().unwrap(), 2);
    let bias = data(desc.out_channels as usize, 3);
    let bias = if with_bias { Some(&bias[..]) } else { None };
    let (expected, bound) = reference(desc, &input, &filter, bias, clamp);
    let mut ran = Vec::new();
    for algo in std::iter::once(Algo::AUTO).chain(Algo::all()) {
        let mut options = Options::default().algo(algo);
        options.clamp = clamp;
        let plan = match Plan::new(desc, &filter, bias, &options) {
            Err(Error::Unsupported) => continue,
            other => other.unwrap_or_else(|e| panic!("{}: {}", algo, e)),
        };
        let mut workspace = plan.new_workspace().unwrap();
        let mut output = vec![f32::NAN; plan.output_len()];
        plan.execute(&input, &mut output, &mut workspace)
            .unwrap_or_else(|e| panic!("{}: {}", plan.algo(), e));
        for (i, (&got, &want)) in output.iter().zip(&expected).enumerate() {
            let tolerance = 1e-5 * (1.0 + bound[i]);
            assert!(
                (got as f64 - want).abs() <= tolerance,
                "{} ({:?}): y[{}] = {}, want {}",
                plan.algo(),
                algo,
                i,
                got,
                want
            );
        }
        ran.push(algo);
    }
    ran
}

/// "auto, direct, ..." for a failure message.
fn names(algos: &[Algo]) -> String {
    algos
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn nchw_3x3_padded_with_bias() {
    let desc = ConvDesc::new(4, 6, (9, 7), (3, 3)).batch(2).pad(1);
    assert!(check_every_algorithm(&desc, true, None).len() >= 3);
}

#[test]
fn nhwc_grouped_strided_dilated_asymmetric_padding_clamped() {
    let desc = ConvDesc::new(4, 6, (11, 10), (3, 2))
        .layout(Layout::Nhwc)
        .filter_layout(FilterLayout::Ohwi)
        .batch(2)
        .groups(2)
        .stride(2, 1)
        .dilation(2, 1)
        .padding(1, 0, 2, 1);
    let ran = check_every_algorithm(&desc, true, Some((-0.5, 0.75)));
    assert!(ran.len() >= 2);
    assert!(
        ran.contains(&Algo::GROUPED_NHWC),
        "ran only {}",
        names(&ran)
    );
}

// Depthwise (groups = C) with a channel multiplier and a stride, so that each input channel feeds
// two output channels and the output columns are not the input columns.
#[test]
fn depthwise_nchw_multiplier_2_strided_padded_with_bias() {
    let desc = ConvDesc::new(6, 12, (10, 9), (3, 3))
        .batch(2)
        .groups(6)
        .stride(2, 2)
        .pad(1);
    let ran = check_every_algorithm(&desc, true, None);
    assert!(
        ran.contains(&Algo::DEPTHWISE_NCHW),
        "ran only {}",
        names(&ran)
    );
    assert!(ran.contains(&Algo::DIRECT), "ran only {}", names(&ran));
}

// 19 channels fill no vector width exactly, so depthwise-nhwc runs its channel tail too.
#[test]
fn depthwise_nhwc_strided_dilated_asymmetric_padding_clamped() {
    let desc = ConvDesc::new(19, 19, (12, 11), (5, 3))
        .layout(Layout::Nhwc)
        .filter_layout(FilterLayout::Ohwi)
        .groups(19)
        .stride(1, 2)
        .dilation(2, 1)
        .padding(3, 1, 0, 2);
    let ran = check_every_algorithm(&desc, true, Some((-0.5, 0.75)));
    assert!(
        ran.contains(&Algo::DEPTHWISE_NHWC),
        "ran only {}",
        names(&ran)
    );
    assert!(!ran.contains(&Algo::DEPTHWISE_NCHW), "ran {}", names(&ran));
}

#[test]
fn depthwise_nhwc_multiplier_3_without_bias() {
    let desc = ConvDesc::new(7, 21, (8, 8), (3, 3))
        .layout(Layout::Nhwc)
        .batch(2)
        .groups(7)
        .pad(1);
    let ran = check_every_algorithm(&desc, false, None);
    assert!(
        ran.contains(&Algo::DEPTHWISE_NHWC),
        "ran only {}",
        names(&ran)
    );
}

#[test]
fn grouped_nhwc_three_groups_with_bias() {
    let desc = ConvDesc::new(12, 9, (9, 8), (3, 3))
        .layout(Layout::Nhwc)
        .filter_layout(FilterLayout::Ohwi)
        .batch(2)
        .groups(3)
        .pad(1);
    let ran = check_every_algorithm(&desc, true, None);
    assert!(
        ran.contains(&Algo::GROUPED_NHWC),
        "ran only {}",
        names(&ran)
    );
}

#[test]
fn pointwise_1x1_without_bias() {
    let desc = ConvDesc::new(8, 5, (6, 6), (1, 1));
    assert!(check_every_algorithm(&desc, false, None).len() >= 3);
}

#[test]
fn one_plan_shared_by_threads() {
    let desc = ConvDesc::new(3, 4, (10, 10), (3, 3)).pad(1);
    let filter = data(desc.filter_len().unwrap(), 4);
    let options = Options::default()
        .algo(Algo::IM2COL_COPY_LONG)
        .num_threads(1);
    let plan = Plan::new(&desc, &filter, None, &options).unwrap();
    assert!(plan.workspace_size() > 0);
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let plan = &plan;
            let filter = &filter;
            s.spawn(move || {
                let input = data(plan.input_len(), 10 + t);
                let (expected, bound) = reference(plan.desc(), &input, filter, None, None);
                let mut workspace = Workspace::new(plan.workspace_size()).unwrap();
                let mut output = vec![0.0; plan.output_len()];
                for _ in 0..3 {
                    plan.execute(&input, &mut output, &mut workspace).unwrap();
                    for i in 0..output.len() {
                        assert!((output[i] as f64 - expected[i]).abs() <= 1e-5 * (1.0 + bound[i]));
                    }
                }
            });
        }
    });
}
