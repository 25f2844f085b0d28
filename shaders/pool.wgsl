// Max and average pooling over NHWC views, one output vec4 channel group per invocation, PyTorch's rules:
// max pooling ignores positions outside the input (-inf padding); average pooling divides by the window
// clipped to input + padding (count_include_pad) or by the positions inside the input only.

struct Params {
  in_h: u32, in_w: u32, out_h: u32, out_w: u32,
  kh: u32, kw: u32, stride_y: u32, stride_x: u32,
  pad_y: u32, pad_x: u32, c4: u32, count: u32,
  x_cs4: u32, x_co4: u32, y_cs4: u32, y_co4: u32,
  groups_y: u32, unused0: u32, unused1: u32, unused2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4f>;

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
  let y0 = i32(oy * p.stride_y) - i32(p.pad_y);
  let x0 = i32(ox * p.stride_x) - i32(p.pad_x);
  let y1 = min(y0 + i32(p.kh), i32(p.in_h + p.pad_y));
  let x1 = min(x0 + i32(p.kw), i32(p.in_w + p.pad_x));
  let window = f32((y1 - y0) * (x1 - x0));
  let ys = max(y0, 0);
  let xs = max(x0, 0);
  let ye = min(y1, i32(p.in_h));
  let xe = min(x1, i32(p.in_w));
#if MAX
  var acc = vec4f(-3.402823e38);
#else
  var acc = vec4f(0.0);
#endif
  for (var iy = ys; iy < ye; iy++) {
    for (var ix = xs; ix < xe; ix++) {
      let v = x[((n * p.in_h + u32(iy)) * p.in_w + u32(ix)) * p.x_cs4 + p.x_co4 + g];
#if MAX
      acc = max(acc, v);
#else
      acc += v;
#endif
    }
  }
#if MAX
  y[pix * p.y_cs4 + p.y_co4 + g] = acc;
#else
#if COUNT_PAD
  y[pix * p.y_cs4 + p.y_co4 + g] = acc / window;
#else
  y[pix * p.y_cs4 + p.y_co4 + g] = acc / f32((ye - ys) * (xe - xs));
#endif
#endif
}
