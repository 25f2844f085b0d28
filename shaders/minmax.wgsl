// Min-max normalisation of each image's map: y = (x - min) / (max - min + eps), min and max over all of the
// image's real channels and pixels. One workgroup per image: a strided pass for the extremes, a tree
// reduction in workgroup memory, then a second pass that writes. Padding channels are written as 0.

const WG: u32 = ${WG}u;
var<workgroup> lo: array<f32, WG>;
var<workgroup> hi: array<f32, WG>;

fn real(g: u32) -> vec4<bool> {
  return (vec4u(g * 4u) + vec4u(0u, 1u, 2u, 3u)) < vec4u(p.c);
}

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let n = wid.x;
  let total = p.pixels * p.c4;
  var mn = 3.402823e38;
  var mx = -3.402823e38;
  for (var i = lid.x; i < total; i += WG) {
    let pix = n * p.pixels + i / p.c4;
    let g = i % p.c4;
    let v = x[pix * p.x_cs4 + p.x_co4 + g];
    let keep = real(g);
    let vmin = select(vec4f(3.402823e38), v, keep);
    let vmax = select(vec4f(-3.402823e38), v, keep);
    mn = min(mn, min(min(vmin.x, vmin.y), min(vmin.z, vmin.w)));
    mx = max(mx, max(max(vmax.x, vmax.y), max(vmax.z, vmax.w)));
  }
  lo[lid.x] = mn;
  hi[lid.x] = mx;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid.x < s) {
      lo[lid.x] = min(lo[lid.x], lo[lid.x + s]);
      hi[lid.x] = max(hi[lid.x], hi[lid.x + s]);
    }
    workgroupBarrier();
  }
  let vmin = lo[0];
  let range = hi[0] - vmin + p.eps;
  for (var i = lid.x; i < total; i += WG) {
    let pix = n * p.pixels + i / p.c4;
    let g = i % p.c4;
    let v = (x[pix * p.x_cs4 + p.x_co4 + g] - vmin) / range;
    y[pix * p.y_cs4 + p.y_co4 + g] = select(vec4f(0.0), v, real(g));
  }
}
