// Binary mask from logits: y = 1 where sigmoid(x) >= p.threshold, else 0, one vec4 channel group per
// invocation over NHWC views. Channels past the tensor's real count are written as 0.

@compute @workgroup_size(${WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let idx = (wid.z * p.groups_y + wid.y) * ${WG}u + lid.x;
  if (idx >= p.count) {
    return;
  }
  let pix = idx / p.c4;
  let g = idx - pix * p.c4;
  let probability = 1.0 / (1.0 + exp(-x[pix * p.x_cs4 + p.x_co4 + g]));
  let ch = vec4u(g * 4u) + vec4u(0u, 1u, 2u, 3u);
  let on = (probability >= vec4f(p.threshold)) & (ch < vec4u(p.c));
  y[pix * p.y_cs4 + p.y_co4 + g] = select(vec4f(0.0), vec4f(1.0), on);
}
