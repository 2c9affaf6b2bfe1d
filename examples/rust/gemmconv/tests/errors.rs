//! Bad inputs come back as the right Error, never as a crash or an out-of-bounds read.

use gemmconv::{Algo, ConvDesc, Error, Options, Plan, Workspace};

fn desc() -> ConvDesc {
    ConvDesc::new(2, 4, (8, 8), (3, 3)).pad(1)
}

fn plan_with(desc: &ConvDesc, options: &Options) -> Result<Plan, Error> {
    let filter = vec![0.25; desc.filter_len()?];
    Plan::new(desc, &filter, None, options)
}

#[test]
fn zero_channels_is_invalid_argument() {
    let mut d = desc();
    d.in_channels = 0; // the filter is then empty, so this reaches the library's own validation
    assert_eq!(d.filter_len(), Ok(0));
    assert_eq!(
        plan_with(&d, &Options::default()).err(),
        Some(Error::InvalidArgument)
    );
}

#[test]
fn inconsistent_descriptors_are_invalid_argument() {
    let bad = [
        desc().groups(3),                    // 2 channels in 3 groups
        desc().groups(0),                    // no groups
        desc().stride(0, 1),                 // zero stride
        desc().batch(0),                     // no images
        ConvDesc::new(2, 4, (2, 2), (5, 5)), // kernel larger than the image
    ];
    for d in &bad {
        let filter = vec![0.0; 4 * 2 * 25];
        let result = Plan::new(d, &filter, None, &Options::default());
        assert_eq!(result.err(), Some(Error::InvalidArgument), "{:?}", d);
    }
}

#[test]
fn slices_of_the_wrong_length_are_refused_before_c_reads_them() {
    let d = desc();
    let filter = vec![0.0; d.filter_len().unwrap()];
    let options = Options::default();
    assert_eq!(
        Plan::new(&d, &filter[1..], None, &options).err(),
        Some(Error::InvalidArgument)
    );
    assert_eq!(
        Plan::new(&d, &filter, Some(&[1.0; 3]), &options).err(),
        Some(Error::InvalidArgument)
    );
    let plan = Plan::new(&d, &filter, Some(&[1.0; 4]), &options).unwrap();
    let mut ws = plan.new_workspace().unwrap();
    let input = vec![0.0; plan.input_len()];
    let mut output = vec![0.0; plan.output_len()];
    assert_eq!(
        plan.execute(&input[1..], &mut output, &mut ws),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        plan.execute(&input, &mut output[1..], &mut ws),
        Err(Error::InvalidArgument)
    );
    assert_eq!(plan.execute(&input, &mut output, &mut ws), Ok(()));
}

#[test]
fn too_small_workspace() {
    let options = Options::default().algo(Algo::IM2COL_COPY_LONG);
    let plan = plan_with(&desc(), &options).unwrap();
    assert!(plan.workspace_size() > 0);
    let mut short = Workspace::new(plan.workspace_size() - 1).unwrap();
    let mut empty = Workspace::new(0).unwrap();
    let input = vec![1.0; plan.input_len()];
    let mut output = vec![0.0; plan.output_len()];
    assert_eq!(
        plan.execute(&input, &mut output, &mut short),
        Err(Error::WorkspaceTooSmall)
    );
    assert_eq!(
        plan.execute(&input, &mut output, &mut empty),
        Err(Error::WorkspaceTooSmall)
    );
    // A larger workspace than needed is fine.
    let mut large = Workspace::new(plan.workspace_size() + 100).unwrap();
    assert_eq!(plan.execute(&input, &mut output, &mut large), Ok(()));
}

#[test]
fn option_errors() {
    let d = desc();
    let unsupported = Options::default().algo(Algo::GEMM_1X1); // 3x3 kernel
    assert_eq!(plan_with(&d, &unsupported).err(), Some(Error::Unsupported));
    let over_budget = Options::default()
        .algo(Algo::IM2COL_COPY_LONG)
        .workspace_limit(0);
    assert_eq!(plan_with(&d, &over_budget).err(), Some(Error::OverBudget));
    let within_budget = Options::default().workspace_limit(0); // AUTO finds one with none
    assert_eq!(plan_with(&d, &within_budget).unwrap().workspace_size(), 0);
    let inverted_clamp = Options::default().clamp(1.0, -1.0);
    assert_eq!(
        plan_with(&d, &inverted_clamp).err(),
        Some(Error::InvalidArgument)
    );
    let unknown_algo = Options::default().algo(Algo(100_000));
    assert_eq!(
        plan_with(&d, &unknown_algo).err(),
        Some(Error::InvalidArgument)
    );
}

#[test]
fn sizes_that_do_not_fit_are_overflow() {
    let d = ConvDesc::new(1 << 16, 1, (1 << 20, 1 << 20), (3, 3));
    assert_eq!(
        plan_with(&d, &Options::default()).err(),
        Some(Error::Overflow)
    );
}

#[test]
fn errors_display_and_box_as_std_errors() {
    let error = plan_with(&desc().groups(3), &Options::default()).unwrap_err();
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(error);
    assert!(!boxed.to_string().is_empty());
    println!("InvalidArgument displays as: {}", boxed);
}
