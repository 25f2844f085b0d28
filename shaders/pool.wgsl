// Max and average pooling over NHWC views, one output vec4 channel group per invocation, PyTorch's rules:
// max pooling ignores positions outside the input (-inf padding); average pooling divides by the window
// clipped to input + padding (count_include_pad) or by the positions inside the input only.

#include output_group

@compute @workgroup_size(${WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let idx = (wid.z * p.groups_y + wid.y) * ${WG}u + lid.x;
  if (idx >= p.count) {
    return;
  }
  let o = output_group(idx);
  let g = o.g;
  let pix = o.pix;
  let n = o.n;
  let y0 = i32(o.oy * p.stride_y) - i32(p.pad_y);
  let x0 = i32(o.ox * p.stride_x) - i32(p.pad_x);
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
