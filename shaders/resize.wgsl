// Bilinear resize over NHWC views, one output vec4 channel group per invocation. Source rows/columns and
// their weights come from per-axis tables computed once on the host with PyTorch's float32 coordinate rule,
// so every backend samples exactly the same positions.

struct Params {
  in_h: u32, in_w: u32, out_h: u32, out_w: u32,
  c4: u32, count: u32, groups_y: u32, unused0: u32,
  x_cs4: u32, x_co4: u32, y_cs4: u32, y_co4: u32,
}

// One entry per output row, then one per output column: (index0, index1, bits of weight0, bits of weight1).
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<vec4f>;
@group(0) @binding(2) var<storage, read> tab: array<vec4u>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4f>;

@compute @workgroup_size(${WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let idx = (wid.z * p.groups_y + wid.y) * ${WG}u + lid.x;
  if (idx >= p.count) {
    return;
  }
  let g = idx % p.c4;
  let pix = idx / p.c4;
  let ox = pix % p.out_w;
  let oy = (pix / p.out_w) % p.out_h;
  let n = pix / (p.out_w * p.out_h);
  let ty = tab[oy];
  let tx = tab[p.out_h + ox];
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
  y[pix * p.y_cs4 + p.y_co4 + g] = wy0 * (wx0 * v00 + wx1 * v01) + wy1 * (wx0 * v10 + wx1 * v11);
}
