// Whether any lane of v is NaN or infinite: exponent bits all ones. Tested on the bits because a compiler may
// assume floats are finite and fold `v != v` or a comparison with infinity away.
fn is_nonfinite(v: vec4f) -> bool {
  return any((bitcast<vec4u>(v) & vec4u(0x7f800000u)) == vec4u(0x7f800000u));
}
