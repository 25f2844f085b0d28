// 2-D convolution as a register-blocked implicit GEMM over NHWC tensors with vec4 channel groups.
// Each invocation computes TM output pixels x TN vec4 output-channel groups, reading storage directly (no
// workgroup memory, no barriers). Weights are pre-packed as [kh][kw][cin4*4][wcout4] vec4 along output
// channels; padded channels carry zero weights.
// Epilogue: + bias, + residual (same layout as the output), ReLU, in that order.
//
// Two ways to spread a tile over a workgroup:
//   PX (lanes over pixels): all invocations of a workgroup share one output-channel block, so weight
//     addresses depend only on the workgroup id. A SIMD compiler that runs invocations as lanes (Mesa's
//     lavapipe) then loads each weight once as a scalar instead of once per lane; pixel i of an
//     invocation is base + i * WGX, so neighbouring lanes read neighbouring pixels.
//   otherwise: invocations differ in output channels along x and in pixels along y.
// POINT (1x1, stride 1, no padding) drops all border arithmetic: the input pixel is the output pixel.

struct Params {
  in_h: u32, in_w: u32, in_cs4: u32, in_co4: u32,
  out_h: u32, out_w: u32, out_cs4: u32, out_co4: u32,
  res_cs4: u32, res_co4: u32, cin4: u32, cout4: u32,
  kh: u32, kw: u32, stride_y: u32, stride_x: u32,
  pad_t: u32, pad_l: u32, dil_y: u32, dil_x: u32,
  m: u32, wcout4: u32, groups_y: u32, unused: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<vec4f>;
@group(0) @binding(2) var<storage, read> wt: array<vec4f>;
#if BIAS
@group(0) @binding(3) var<storage, read> bias: array<vec4f>;
#endif
#if RESIDUAL
@group(0) @binding(4) var<storage, read_write> res: array<vec4f>;
#endif
@group(0) @binding(5) var<storage, read_write> y: array<vec4f>;

const TM: u32 = ${TM}u;
const TN: u32 = ${TN}u;

@compute @workgroup_size(${WGX}, ${WGY}, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
#if PX
  let co0 = wid.x * TN;
  let m0 = (wid.z * p.groups_y + wid.y) * (${WGX}u * TM) + lid.x;
  let mstep = ${WGX}u;
#else
  let co0 = (wid.x * ${WGX}u + lid.x) * TN;
  let m0 = ((wid.z * p.groups_y + wid.y) * ${WGY}u + lid.y) * TM;
  let mstep = 1u;
#endif
  if (co0 >= p.cout4 || m0 >= p.m) {
    return;
  }
  var acc: array<vec4f, TM * TN>;
  let ws = p.wcout4;
#if POINT
  var base: array<u32, TM>;
  for (var i = 0u; i < TM; i++) {
    base[i] = min(m0 + i * mstep, p.m - 1u) * p.in_cs4 + p.in_co4;  // past the end: repeat the last pixel, not stored
  }
  {
    {
      var wi = co0;
      for (var c = 0u; c < p.cin4; c++) {
        var xv: array<vec4f, TM>;
        for (var i = 0u; i < TM; i++) {
          xv[i] = x[base[i] + c];
        }
#else
  let hw = p.out_h * p.out_w;
  var iy0: array<i32, TM>;
  var ix0: array<i32, TM>;
  var row0: array<u32, TM>;
  for (var i = 0u; i < TM; i++) {
    let m = min(m0 + i * mstep, p.m - 1u);  // pixels past the end repeat the last one; their results are not stored
    let n = m / hw;
    let r = m - n * hw;
    let oy = r / p.out_w;
    let ox = r - oy * p.out_w;
    iy0[i] = i32(oy * p.stride_y) - i32(p.pad_t);
    ix0[i] = i32(ox * p.stride_x) - i32(p.pad_l);
    row0[i] = n * p.in_h;
  }
  for (var ky = 0u; ky < p.kh; ky++) {
    for (var kx = 0u; kx < p.kw; kx++) {
      var base: array<u32, TM>;
      var inside: array<bool, TM>;
      for (var i = 0u; i < TM; i++) {
        let iy = iy0[i] + i32(ky * p.dil_y);
        let ix = ix0[i] + i32(kx * p.dil_x);
        inside[i] = iy >= 0 && iy < i32(p.in_h) && ix >= 0 && ix < i32(p.in_w);
        base[i] = ((row0[i] + u32(iy)) * p.in_w + u32(ix)) * p.in_cs4 + p.in_co4;
      }
      var wi = (ky * p.kw + kx) * p.cin4 * 4u * ws + co0;
      for (var c = 0u; c < p.cin4; c++) {
        var xv: array<vec4f, TM>;
        for (var i = 0u; i < TM; i++) {
          if (inside[i]) {
            xv[i] = x[base[i] + c];
          } else {
            xv[i] = vec4f(0.0);
          }
        }
#endif
        // One weight vec4 live at a time keeps register pressure low on SIMD-lane compilers.
        for (var r = 0u; r < 4u; r++) {
          for (var j = 0u; j < TN; j++) {
            let w = wt[wi + r * ws + j];
            for (var i = 0u; i < TM; i++) {
              acc[i * TN + j] = fma(vec4f(xv[i][r]), w, acc[i * TN + j]);
            }
          }
        }
        wi += 4u * ws;
      }
    }
  }

  for (var i = 0u; i < TM; i++) {
    let m = m0 + i * mstep;
    if (m >= p.m) {
      break;
    }
    for (var j = 0u; j < TN; j++) {
      let co = co0 + j;
      if (co < p.cout4) {
        var v = acc[i * TN + j];
#if BIAS
        v += bias[co];
#endif
#if RESIDUAL
        v += res[m * p.res_cs4 + p.res_co4 + co];
#endif
#if RELU
        v = max(v, vec4f(0.0));
#endif
        y[m * p.out_cs4 + p.out_co4 + co] = v;
      }
    }
  }
}
