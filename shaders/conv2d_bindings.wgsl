// Included by conv2d.wgsl and conv2d_tiled.wgsl (#include conv2d_bindings): the parameters and bindings both
// convolution variants share, so src/kernels/conv2d.ts drives either with the same calls.

struct Params {
  in_h: u32, in_w: u32, in_cs4: u32, in_co4: u32,
  out_h: u32, out_w: u32, out_cs4: u32, out_co4: u32,
  res_cs4: u32, res_co4: u32, cin4: u32, cout4: u32,
  kh: u32, kw: u32, stride_y: u32, stride_x: u32,
  pad_t: u32, pad_l: u32, dil_y: u32, dil_x: u32,
  m: u32, wcout4: u32, groups_y: u32, unused: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<vec4f>;
#if WF16
// Weights stored as float16 (a vec2u holds 4 halves): half the memory and half the load traffic; wv()
// widens them exactly, so results equal those of float32 storage of the same values.
@group(0) @binding(2) var<storage, read> wt: array<vec2u>;
fn wv(h: vec2u) -> vec4f {
  return vec4f(unpack2x16float(h.x), unpack2x16float(h.y));
}
#else
@group(0) @binding(2) var<storage, read> wt: array<vec4f>;
fn wv(v: vec4f) -> vec4f {
  return v;
}
#endif
#if BIAS
@group(0) @binding(3) var<storage, read> bias: array<vec4f>;
#endif
#if RESIDUAL
@group(0) @binding(4) var<storage, read_write> res: array<vec4f>;
#endif
@group(0) @binding(5) var<storage, read_write> y: array<vec4f>;
