// Elementwise ops over NHWC views, one vec4 channel group per invocation. Channels past the tensor's real
// count (the padding of its last vec4 group) are always written as 0.
//   OP 0 copy: y = a          OP 1 relu: y = max(a, 0)      OP 2 sigmoid: y = 1 / (1 + exp(-a))
//   OP 3 add: y = a + b       OP 4 mul: y = a * b
//   OP 5 scale-shift (inference batchnorm): y = a * k[c] + s[c]
//   OP 6 reverse-attention erase: y = a * (1 - sigmoid(b[channel 0])), b broadcast over a's channels

struct Params {
  count: u32, c4: u32, c: u32, groups_y: u32,
  a_cs4: u32, a_co4: u32, b_cs4: u32, b_co4: u32,
  y_cs4: u32, y_co4: u32, unused0: u32, unused1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> a: array<vec4f>;
#if HAS_B
@group(0) @binding(2) var<storage, read_write> b: array<vec4f>;
#endif
@group(0) @binding(3) var<storage, read_write> y: array<vec4f>;

fn sigmoid(v: vec4f) -> vec4f {
  return 1.0 / (1.0 + exp(-v));
}

@compute @workgroup_size(${WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let idx = (wid.z * p.groups_y + wid.y) * ${WG}u + lid.x;
  if (idx >= p.count) {
    return;
  }
  let pix = idx / p.c4;
  let g = idx - pix * p.c4;
  let v = a[pix * p.a_cs4 + p.a_co4 + g];
#if HAS_B
  let bi = pix * p.b_cs4 + p.b_co4;
#endif
  var r: vec4f;
  switch (${OP}) {
    case 1: { r = max(v, vec4f(0.0)); }
    case 2: { r = sigmoid(v); }
#if HAS_B
    case 3: { r = v + b[bi + g]; }
    case 4: { r = v * b[bi + g]; }
    case 5: { r = v * b[g] + b[p.c4 + g]; }
    case 6: { r = v * (1.0 - sigmoid(vec4f(b[bi].x))); }
#endif
    default: { r = v; }
  }
  let ch = vec4u(g * 4u) + vec4u(0u, 1u, 2u, 3u);
  y[pix * p.y_cs4 + p.y_co4 + g] = select(vec4f(0.0), r, ch < vec4u(p.c));
}
