// A video frame (RGBA8, one u32 per pixel, rows p.row_words apart: a texture copied to a buffer pads rows to
// 256 bytes) -> the network's input: resized as PyTorch's F.interpolate(mode='bilinear', antialias=True) does
// it (a triangle filter widened by the scale when shrinking, so a frame larger than the network is averaged,
// not aliased; plain bilinear when enlarging), then ImageNet normalisation, written as one NHWC vec4
// (r, g, b, 0) per output pixel. The table `taps` holds, per output row and then per output column, the first
// source index, the number of source pixels and where their normalised weights start in `weights`.

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
  var v = vec3f(0.0);
  for (var i = 0u; i < ty.y; i++) {
    var row = vec3f(0.0);
    for (var j = 0u; j < tx.y; j++) {
      row += weights[tx.z + j] * texel(ty.x + i, tx.x + j).rgb;
    }
    v += weights[ty.z + i] * row;
  }
  let mean = vec3f(p.mean_r, p.mean_g, p.mean_b);
  let spread = vec3f(p.std_r, p.std_g, p.std_b);
  y[pix * p.y_cs4 + p.y_co4] = vec4f((v - mean) / spread, 0.0);
}
