// Bilinear resize over NHWC views, one output vec4 channel group per invocation. Source rows/columns and
// their weights come from per-axis tables computed once on the host with PyTorch's float32 coordinate rule,
// so every backend samples exactly the same positions.

// The table `taps` holds one entry per output row, then one per output column: (index0, index1, bits of
// weight0, bits of weight1).

#include output_group

@compute @workgroup_size(${WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let idx = (wid.z * p.groups_y + wid.y) * ${WG}u + lid.x;
  if (idx >= p.count) {
    return;
  }
  let o = output_group(idx);
  let g = o.g;
  let n = o.n;
  let ty = taps[o.oy];
  let tx = taps[p.out_h + o.ox];
  let r0 = (n * p.in_h + ty.x) * p.in_w;
  let r1 = (n * p.in_h + ty.y) * p.in_w;
  let v00 = x[(r0 + tx.x) * p.x_cs4 + p.x_co4 + g];
  let v01 = x[(r0 + tx.y) * p.x_cs4 + p.x_co4 + g];
  let v10 = x[(r1 + tx.x) * p.x_cs4 + p.x_co4 + g];
  let v11 = x[(r1 + tx.y) * p.x_cs4 + p.x_co4 + g];
  let wy0 = bitcast<f32>(ty.z);
  let wy1 = bitcast<f32>(ty.w);
  let wx0 = bitcast<f32>(tx.z);
  let wx1 = bitcast<f32>(tx.w);
  y[o.pix * p.y_cs4 + p.y_co4 + g] = wy0 * (wx0 * v00 + wx1 * v01) + wy1 * (wx0 * v10 + wx1 * v11);
}
