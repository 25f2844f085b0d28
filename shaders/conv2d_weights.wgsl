// Included by the conv2d shaders (#include conv2d_weights): wv() widens one element of the packed weights `w`
// to a vec4f; bias_of() reads the float32 bias stored after the weights in the same binding, from p.bias_at
// (one binding fewer per dispatch, though on lavapipe an extra unused storage binding measured no cost).
#if WF16
// Weights stored as float16 (a vec2u holds 4 halves): half the memory and half the load traffic; wv()
// widens them exactly, so results equal those of float32 storage of the same values.
fn wv(h: vec2u) -> vec4f {
  return vec4f(unpack2x16float(h.x), unpack2x16float(h.y));
}
fn bias_of(co: u32) -> vec4f {
  let i = p.bias_at + 2u * co;
  return bitcast<vec4f>(vec4u(w[i], w[i + 1u]));
}
#else
fn wv(v: vec4f) -> vec4f {
  return v;
}
fn bias_of(co: u32) -> vec4f {
  return w[p.bias_at + co];
}
#endif
