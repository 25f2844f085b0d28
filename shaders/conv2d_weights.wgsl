// Included by conv2d.wgsl and conv2d_tiled.wgsl (#include conv2d_weights): wv() widens one element of the
// packed weights `w` to a vec4f.
#if WF16
// Weights stored as float16 (a vec2u holds 4 halves): half the memory and half the load traffic; wv()
// widens them exactly, so results equal those of float32 storage of the same values.
fn wv(h: vec2u) -> vec4f {
  return vec4f(unpack2x16float(h.x), unpack2x16float(h.y));
}
#else
fn wv(v: vec4f) -> vec4f {
  return v;
}
#endif
