// Included by pool.wgsl and resize.wgsl (#include output_group): where the output vec4 channel group with
// linear index `idx` (channel group fastest, then x, y, image) sits, from the parameters c4, out_w, out_h.

struct OutputGroup {
  g: u32,
  pix: u32,
  ox: u32,
  oy: u32,
  n: u32,
}

fn output_group(idx: u32) -> OutputGroup {
  let pix = idx / p.c4;
  return OutputGroup(idx % p.c4, pix, pix % p.out_w, (pix / p.out_w) % p.out_h, pix / (p.out_w * p.out_h));
}
