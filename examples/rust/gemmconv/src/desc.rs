//! The convolution descriptor and the tensor sizes that follow from it.

use crate::error::{check, Error, Result};
use crate::sys;

/// Layout of the activations, input and output alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// `[N][C][H][W]`, channels-first.
    Nchw,
    /// `[N][H][W][C]`, channels-last.
    Nhwc,
}

/// Layout of the filter; `C/G` is the number of input channels of one group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FilterLayout {
    /// `[M][C/G][KH][KW]`, as in PyTorch and ONNX.
    Oihw,
    /// `[M][KH][KW][C/G]`, as in TensorFlow Lite.
    Ohwi,
}

/// One 2-D convolution: the fields of `gemmconv_conv_desc` (less `struct_size`, which the crate
/// fills in). Start from [`ConvDesc::new`] and change what differs with the builder methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConvDesc {
    pub layout: Layout,
    pub filter_layout: FilterLayout,
    /// N >= 1.
    pub batch: u32,
    /// G >= 1; `in_channels` and `out_channels` are multiples of it.
    pub groups: u32,
    /// C, all groups together.
    pub in_channels: u32,
    /// M, all groups together.
    pub out_channels: u32,
    pub in_height: u32,
    pub in_width: u32,
    pub kernel_height: u32,
    pub kernel_width: u32,
    pub stride_height: u32,
    pub stride_width: u32,
    /// 1 is a dense kernel.
    pub dilation_height: u32,
    pub dilation_width: u32,
    pub pad_top: u32,
    pub pad_bottom: u32,
    pub pad_left: u32,
    pub pad_right: u32,
}

impl ConvDesc {
    /// A convolution of one `(height, width)` image with `in_channels` channels by a
    /// `(kernel_height, kernel_width)` kernel into `out_channels` channels: NCHW, OIHW, one group,
    /// stride 1, no dilation, no padding (what `gemmconv_conv_desc_init` leaves).
    pub fn new(
        in_channels: u32,
        out_channels: u32,
        (in_height, in_width): (u32, u32),
        (kernel_height, kernel_width): (u32, u32),
    ) -> ConvDesc {
        ConvDesc {
            layout: Layout::Nchw,
            filter_layout: FilterLayout::Oihw,
            batch: 1,
            groups: 1,
            in_channels,
            out_channels,
            in_height,
            in_width,
            kernel_height,
            kernel_width,
            stride_height: 1,
            stride_width: 1,
            dilation_height: 1,
            dilation_width: 1,
            pad_top: 0,
            pad_bottom: 0,
            pad_left: 0,
            pad_right: 0,
        }
    }

    pub fn batch(mut self, batch: u32) -> ConvDesc {
        self.batch = batch;
        self
    }
    pub fn groups(mut self, groups: u32) -> ConvDesc {
        self.groups = groups;
        self
    }
    pub fn layout(mut self, layout: Layout) -> ConvDesc {
        self.layout = layout;
        self
    }
    pub fn filter_layout(mut self, filter_layout: FilterLayout) -> ConvDesc {
        self.filter_layout = filter_layout;
        self
    }
    pub fn stride(mut self, height: u32, width: u32) -> ConvDesc {
        self.stride_height = height;
        self.stride_width = width;
        self
    }
    pub fn dilation(mut self, height: u32, width: u32) -> ConvDesc {
        self.dilation_height = height;
        self.dilation_width = width;
        self
    }
    /// The same zero padding on all four sides.
    pub fn pad(self, pad: u32) -> ConvDesc {
        self.padding(pad, pad, pad, pad)
    }
    pub fn padding(mut self, top: u32, bottom: u32, left: u32, right: u32) -> ConvDesc {
        self.pad_top = top;
        self.pad_bottom = bottom;
        self.pad_left = left;
        self.pad_right = right;
        self
    }

    /// `(out_height, out_width)`, as the library computes them (`gemmconv_output_dims`).
    pub fn output_dims(&self) -> Result<(u32, u32)> {
        let raw = self.to_sys();
        let (mut height, mut width) = (0, 0);
        // SAFETY: raw is a complete descriptor; the outputs are valid places to write.
        check(unsafe { sys::gemmconv_output_dims(&raw, &mut height, &mut width) })?;
        Ok((height, width))
    }

    /// Floats in the input tensor: N*C*H*W.
    pub fn input_len(&self) -> Result<usize> {
        product(&[self.batch, self.in_channels, self.in_height, self.in_width])
    }

    /// Floats in the output tensor: N*M*Ho*Wo.
    pub fn output_len(&self) -> Result<usize> {
        let (height, width) = self.output_dims()?;
        product(&[self.batch, self.out_channels, height, width])
    }

    /// Floats in the filter: M*(C/G)*KH*KW.
    pub fn filter_len(&self) -> Result<usize> {
        if self.groups == 0 || self.in_channels % self.groups != 0 {
            return Err(Error::InvalidArgument);
        }
        let group_channels = self.in_channels / self.groups;
        product(&[
            self.out_channels,
            group_channels,
            self.kernel_height,
            self.kernel_width,
        ])
    }

    /// The C struct, starting from `gemmconv_conv_desc_init` so that `struct_size` is right.
    pub fn to_sys(&self) -> sys::gemmconv_conv_desc {
        let mut raw = sys::gemmconv_conv_desc::default();
        // SAFETY: raw is a valid, writable gemmconv_conv_desc.
        unsafe { sys::gemmconv_conv_desc_init(&mut raw) };
        raw.layout = match self.layout {
            Layout::Nchw => sys::GEMMCONV_LAYOUT_NCHW,
            Layout::Nhwc => sys::GEMMCONV_LAYOUT_NHWC,
        };
        raw.filter_layout = match self.filter_layout {
            FilterLayout::Oihw => sys::GEMMCONV_FILTER_OIHW,
            FilterLayout::Ohwi => sys::GEMMCONV_FILTER_OHWI,
        };
        raw.batch = self.batch;
        raw.groups = self.groups;
        raw.in_channels = self.in_channels;
        raw.out_channels = self.out_channels;
        raw.in_height = self.in_height;
        raw.in_width = self.in_width;
        raw.kernel_height = self.kernel_height;
        raw.kernel_width = self.kernel_width;
        raw.stride_height = self.stride_height;
        raw.stride_width = self.stride_width;
        raw.dilation_height = self.dilation_height;
        raw.dilation_width = self.dilation_width;
        raw.pad_top = self.pad_top;
        raw.pad_bottom = self.pad_bottom;
        raw.pad_left = self.pad_left;
        raw.pad_right = self.pad_right;
        raw
    }
}

/// The product of `factors` as a usize, or Overflow.
fn product(factors: &[u32]) -> Result<usize> {
    factors.iter().try_fold(1usize, |acc, &f| {
        acc.checked_mul(f as usize).ok_or(Error::Overflow)
    })
}
