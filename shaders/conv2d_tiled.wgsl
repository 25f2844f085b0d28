// 2-D convolution as an implicit GEMM tiled through workgroup memory (shared tiles, coalesced cooperative
// loads, barriers). Which variant is faster depends on the device: the software adapters run conv2d.wgsl
// faster; on an NVIDIA H100 the official network ran 2.4x faster with these tiles (tm 4, 8x8 invocations:
// 20.5 ms against 50.2 ms for the default tiling, 2026-11-27). Same layouts, packed weights, parameters and
// epilogue as conv2d.wgsl.
//
// A workgroup computes BM = WGY * TM output pixels x BN = WGX * TN output vec4 channel groups. For every tap
// (ky, kx) and every chunk of KC input vec4 groups, its invocations first load together the input tile
// (BM pixels x KC vec4, zero outside the image) and the weight tile (KC * 4 input channels x BN vec4) into
// workgroup memory, then each invocation accumulates its TM x TN outputs from there.
// The loads and the accumulation are generated unrolled by src/kernels/conv2d.ts (${...} blocks).

#include conv2d_weights
#include nonfinite

const BM = ${BM}u;
const BN = ${BN}u;
const KC = ${KC}u;
var<workgroup> ta: array<vec4f, ${BM} * ${KC}>;
var<workgroup> tb: array<vec4f, ${KC} * 4 * ${BN}>;

@compute @workgroup_size(${WGX}, ${WGY}, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let nb = wid.x * BN;
  let mb = (wid.z * p.groups_y + wid.y) * BM;
  let co0 = nb + lid.x * ${TN}u;
  let m0 = mb + lid.y * ${TM}u;
  let mstep = 1u;
  let ws = p.wcout4;
  let hw = p.out_h * p.out_w;
${ACC_DECL}
  // This invocation's share of the input tile: the same (pixel, kc) slots for every tap and chunk.
${A_ORIGINS}
  var wtap = 0u;
  for (var ky = 0u; ky < p.kh; ky++) {
    for (var kx = 0u; kx < p.kw; kx++) {
      let dy = i32(ky * p.dil_y);
      let dx = i32(kx * p.dil_x);
${A_BASES}
      for (var c0 = 0u; c0 < p.cin4; c0 += KC) {
${A_LOADS}
${B_LOADS}
        workgroupBarrier();
${FMAS}
        workgroupBarrier();
      }
      wtap += p.cin4 * 4u * ws;
    }
  }
${STORES}
}
