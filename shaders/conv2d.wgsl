// 2-D convolution as a register-blocked implicit GEMM over NHWC tensors with vec4 channel groups.
// Each invocation computes TM output pixels x TN vec4 output-channel groups, reading storage directly (no
// workgroup memory, no barriers). Weights are pre-packed as [kh][kw][cin4*4][wcout4] vec4 along output
// channels; padded channels carry zero weights.
// Epilogue: + bias, + residual (same layout as the output), ReLU, in that order; a value that is NaN or infinite
// before the ReLU sets the status word (the executor then refuses the outputs).
//
// The tile's code is generated unrolled by src/kernels/conv2d.ts (${...} blocks below): accumulators and
// operands are plain variables, so no compiler has to prove constant array indices (on Mesa's lavapipe a
// private array indexed in a loop is kept in memory, and every storage load is expensive: the generated
// code loads each input vec4 and each weight vec4 exactly once per step).
//
// Two ways to spread a tile over a workgroup:
//   PX (lanes over pixels): all invocations of a workgroup share one output-channel block; pixel i of an
//     invocation is base + i * WGX, so neighbouring invocations read neighbouring pixels.
//   otherwise: invocations differ in output channels along x and in pixels along y.
// POINT (1x1, stride 1, no padding) drops all border arithmetic: the input pixel is the output pixel.
// With subgroups (and PX, subgroups of the tiling's size): the weights of a step are the same for every invocation,
//   so each invocation loads a different one of them and subgroupBroadcast hands them round: SGSIZE times
//   fewer weight loads. No invocation may leave early then, so pixels past the end are only not stored.
// The parameters and bindings are declared in src/kernels/conv2d.ts.

#include conv2d_weights
#include nonfinite

@compute @workgroup_size(${WGX}, ${WGY}, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u${SG_ARG}) {
#if PX
  let co0 = wid.x * ${TN}u;
  let m0 = (wid.z * p.groups_y + wid.y) * (${WGX}u * ${TM}u) + lid.x;
  let mstep = ${WGX}u;
#else
  let co0 = (wid.x * ${WGX}u + lid.x) * ${TN}u;
  let m0 = ((wid.z * p.groups_y + wid.y) * ${WGY}u + lid.y) * ${TM}u;
  let mstep = 1u;
#endif
  if (co0 >= p.cout4 || ${EARLY_OUT}) {
    return;
  }
  let ws = p.wcout4;
${ACC_DECL}
${SG_SETUP}
#if POINT
  // Pixels past the end repeat the last one; their results are not stored.
${POINT_BASES}
  var wi = co0;
  for (var c = 0u; c < p.cin4; c++) {
${POINT_LOADS}
${FMAS}
    wi += 4u * ws;
  }
#else
  let hw = p.out_h * p.out_w;
${PIXEL_ORIGINS}
  var wi = co0;
  for (var ky = 0u; ky < p.kh; ky++) {
    for (var kx = 0u; kx < p.kw; kx++) {
      let dy = i32(ky * p.dil_y);
      let dx = i32(kx * p.dil_x);
${TAP_BASES}
      for (var c = 0u; c < p.cin4; c++) {
${TAP_LOADS}
${FMAS}
        wi += 4u * ws;
      }
    }
  }
#endif
${STORES}
}
