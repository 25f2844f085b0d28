// A video frame (RGBA8, one u32 per pixel, rows p.row_words apart: a texture copied to a buffer pads rows to
// 256 bytes) -> the network's input: bilinear to the network size as PyTorch's F.interpolate does it
// (align_corners=False, no antialiasing; sample positions and weights in the table `taps`, one entry per output
// row then per output column: index0, index1, bits of weight0, bits of weight1), then ImageNet normalisation,
// written as one NHWC vec4 (r, g, b, 0) per output pixel.

fn texel(row: u32, col: u32) -> vec4f {
  return unpack4x8unorm(frame[row * p.row_words + col]);
}

@compute @workgroup_size(${WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let pix = (wid.z * p.groups_y + wid.y) * ${WG}u + lid.x;
  if (pix >= p.out_size * p.out_size) {
    return;
  }
  let ty = taps[pix / p.out_size];
  let tx = taps[p.out_size + pix % p.out_size];
  let wy0 = bitcast<f32>(ty.z);
  let wy1 = bitcast<f32>(ty.w);
  let wx0 = bitcast<f32>(tx.z);
  let wx1 = bitcast<f32>(tx.w);
  let v = wy0 * (wx0 * texel(ty.x, tx.x) + wx1 * texel(ty.x, tx.y)) + wy1 * (wx0 * texel(ty.y, tx.x) + wx1 * texel(ty.y, tx.y));
  let mean = vec3f(p.mean_r, p.mean_g, p.mean_b);
  let spread = vec3f(p.std_r, p.std_g, p.std_b);
  y[pix * p.y_cs4 + p.y_co4] = vec4f((v.rgb - mean) / spread, 0.0);
}
