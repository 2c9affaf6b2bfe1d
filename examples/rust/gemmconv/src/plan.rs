//! The plan: one convolution with its chosen algorithm and packed filter, owned by Rust.

use std::fmt;
use std::ptr::{self, NonNull};

use crate::algo::Algo;
use crate::desc::ConvDesc;
use crate::error::{check, Error, Result};
use crate::sys;
use crate::workspace::Workspace;

/// How to build a plan: the fields of `gemmconv_plan_options`. `Options::default()` is what
/// `gemmconv_plan_options_init` gives: AUTO, OpenMP's thread count, no limit, no clamp.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// The algorithm, or [`Algo::AUTO`].
    pub algo: Algo,
    /// 0: the OpenMP default when the plan is created.
    pub num_threads: u32,
    /// AUTO: time the candidates while creating the plan (`GEMMCONV_FLAG_MEASURE`).
    pub measure: bool,
    /// AUTO considers only algorithms whose workspace fits; a named algorithm over it gives
    /// [`Error::OverBudget`]. `None`: no limit.
    pub workspace_limit: Option<usize>,
    /// Fused clamp of every output to `[min, max]`. `None`: no clamp.
    pub clamp: Option<(f32, f32)>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            algo: Algo::AUTO,
            num_threads: 0,
            measure: false,
            workspace_limit: None,
            clamp: None,
        }
    }
}

impl Options {
    pub fn algo(mut self, algo: Algo) -> Options {
        self.algo = algo;
        self
    }
    pub fn num_threads(mut self, num_threads: u32) -> Options {
        self.num_threads = num_threads;
        self
    }
    pub fn measure(mut self, measure: bool) -> Options {
        self.measure = measure;
        self
    }
    pub fn workspace_limit(mut self, bytes: usize) -> Options {
        self.workspace_limit = Some(bytes);
        self
    }
    pub fn clamp(mut self, min: f32, max: f32) -> Options {
        self.clamp = Some((min, max));
        self
    }

    /// The C struct, starting from `gemmconv_plan_options_init` so that `struct_size` is right.
    pub fn to_sys(&self) -> sys::gemmconv_plan_options {
        let mut raw = sys::gemmconv_plan_options::default();
        // SAFETY: raw is a valid, writable gemmconv_plan_options.
        unsafe { sys::gemmconv_plan_options_init(&mut raw) };
        raw.algo = self.algo.0;
        raw.num_threads = self.num_threads;
        if self.measure {
            raw.flags |= sys::GEMMCONV_FLAG_MEASURE;
        }
        if let Some(limit) = self.workspace_limit {
            raw.workspace_limit = limit;
        }
        if let Some((min, max)) = self.clamp {
            raw.output_min = min;
            raw.output_max = max;
        }
        raw
    }
}

/// A plan owning its `gemmconv_plan` handle (destroyed on drop). Immutable once built, so its
/// sizes and algorithm are read once here.
pub struct Plan {
    raw: NonNull<sys::gemmconv_plan>,
    desc: ConvDesc,
    input_len: usize,
    output_len: usize,
    workspace_size: usize,
    persistent_size: usize,
    algo: Algo,
}

// SAFETY: the C contract: a plan is immutable after creation, every query and gemmconv_execute
// take it by const pointer and are thread-safe ("one plan may run in many threads at once, each
// with its own output and workspace"; here &mut Workspace and &mut [f32] guarantee "own"), and
// gemmconv_plan_destroy, the only mutation, needs the Plan by value (Drop). It does not depend on
// the thread that created it.
unsafe impl Send for Plan {}
unsafe impl Sync for Plan {}

impl Plan {
    /// Validates `desc`, picks the algorithm and copies (packs) `filter` and `bias` into a new
    /// plan. `filter` holds exactly [`ConvDesc::filter_len`] floats in `desc.filter_layout`;
    /// `bias`, if given, exactly `out_channels`. A slice of another length is InvalidArgument.
    pub fn new(
        desc: &ConvDesc,
        filter: &[f32],
        bias: Option<&[f32]>,
        options: &Options,
    ) -> Result<Plan> {
        // The lengths first: C reads as many floats as the descriptor says, whatever the slice.
        let output_len = desc.output_len()?;
        let input_len = desc.input_len()?;
        if filter.len() != desc.filter_len()? {
            return Err(Error::InvalidArgument);
        }
        let bias_ptr = match bias {
            Some(b) if b.len() != desc.out_channels as usize => return Err(Error::InvalidArgument),
            Some(b) => b.as_ptr(),
            None => ptr::null(),
        };
        let raw_desc = desc.to_sys();
        let raw_options = options.to_sys();
        let mut handle = ptr::null_mut();
        // SAFETY: every pointer is valid for what the descriptor makes C read, checked above;
        // handle is a valid place for the result.
        check(unsafe {
            sys::gemmconv_plan_create(
                &raw_desc,
                filter.as_ptr(),
                bias_ptr,
                &raw_options,
                &mut handle,
            )
        })?;
        let raw = NonNull::new(handle).ok_or(Error::Internal)?;
        let mut plan = Plan {
            raw,
            desc: *desc,
            input_len,
            output_len,
            workspace_size: 0,
            persistent_size: 0,
            algo: Algo::AUTO,
        };
        // On failure from here, dropping `plan` destroys the handle.
        // SAFETY: the handle is live; the outputs are valid places to write.
        unsafe {
            check(sys::gemmconv_plan_workspace_size(
                raw.as_ptr(),
                &mut plan.workspace_size,
            ))?;
            check(sys::gemmconv_plan_persistent_size(
                raw.as_ptr(),
                &mut plan.persistent_size,
            ))?;
            check(sys::gemmconv_plan_algo(raw.as_ptr(), &mut plan.algo.0))?;
        }
        Ok(plan)
    }

    /// The exact number of workspace bytes [`Plan::execute`] needs (0 is valid).
    pub fn workspace_size(&self) -> usize {
        self.workspace_size
    }

    /// Bytes the plan itself holds: packed filter, bias, tables and the handle.
    pub fn persistent_size(&self) -> usize {
        self.persistent_size
    }

    /// The algorithm the plan runs (never AUTO).
    pub fn algo(&self) -> Algo {
        self.algo
    }

    pub fn desc(&self) -> &ConvDesc {
        &self.desc
    }

    /// Floats `execute` reads from `input`.
    pub fn input_len(&self) -> usize {
        self.input_len
    }

    /// Floats `execute` writes to `output`.
    pub fn output_len(&self) -> usize {
        self.output_len
    }

    /// A workspace of exactly [`Plan::workspace_size`] bytes.
    pub fn new_workspace(&self) -> Result<Workspace> {
        Workspace::new(self.workspace_size)
    }

    /// Computes `output` from `input` (exactly [`Plan::input_len`] and [`Plan::output_len`]
    /// floats, in `desc.layout`), overwriting all of `output`. `workspace` must hold at least
    /// [`Plan::workspace_size`] bytes. Callable from many threads at once on one plan, each with
    /// its own output and workspace.
    pub fn execute(
        &self,
        input: &[f32],
        output: &mut [f32],
        workspace: &mut Workspace,
    ) -> Result<()> {
        if input.len() != self.input_len || output.len() != self.output_len {
            return Err(Error::InvalidArgument);
        }
        let bytes = workspace.len();
        // C gives INVALID_ARGUMENT for an empty (NULL) workspace when one is needed; to Rust
        // callers any workspace below the size is the same mistake.
        if bytes < self.workspace_size {
            return Err(Error::WorkspaceTooSmall);
        }
        // SAFETY: the plan is live; input and output hold what the descriptor says (checked) and
        // cannot overlap (& and &mut); the workspace is aligned, owned and `bytes` long.
        check(unsafe {
            sys::gemmconv_execute(
                self.raw.as_ptr(),
                input.as_ptr(),
                output.as_mut_ptr(),
                workspace.as_mut_ptr(),
                bytes,
            )
        })
    }

    /// The raw handle, for calls this crate does not wrap. It stays owned by the Plan.
    pub fn as_raw(&self) -> *const sys::gemmconv_plan {
        self.raw.as_ptr()
    }
}

impl Drop for Plan {
    fn drop(&mut self) {
        // SAFETY: the handle came from gemmconv_plan_create and is destroyed exactly once.
        unsafe { sys::gemmconv_plan_destroy(self.raw.as_ptr()) }
    }
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plan")
            .field("algo", &self.algo)
            .field("workspace_size", &self.workspace_size)
            .field("persistent_size", &self.persistent_size)
            .field("desc", &self.desc)
            .finish()
    }
}
