#!/usr/bin/env bash
# Runs on the lent GPU machine (device tool, carry [".device"]), after tools/device/pack.sh here:
#   bash tools/device/run.sh
# Unpacks node and the runtime, points the Vulkan loader at NVIDIA's driver, then records into $OUT:
# info.txt (the adapter), bench-official.json/.txt (PraNet 352x352 with seeded random weights, made there by
# PyTorch, against onnxruntime CPU/WebGPU and PyTorch CPU and CUDA) and profile-official.txt.
# PRESET and RUNS (default official, 10) and SKIP_DEBS=1 (keep this machine's own loaders) serve a dry run
# on a development machine: PRESET=tiny RUNS=1 SKIP_DEBS=1 OUT=/tmp/out bash tools/device/run.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/pranet-device-out}
PRESET=${PRESET:-official}
RUNS=${RUNS:-10}
mkdir -p "$OUT"
log() { echo "[$(date +%T)] $*" | tee -a "$OUT/steps.txt"; }

log "unpacking"
if [ "${SKIP_DEBS:-0}" != 1 ]; then
  for f in .device/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
mkdir -p /tmp/pranet-node/bin
xz -dc .device/node.xz > /tmp/pranet-node/bin/node && chmod +x /tmp/pranet-node/bin/node
export PATH=/tmp/pranet-node/bin:$PATH
tar -xJf .device/runtime.tar.xz
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd; break; fi
done
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
log "node $(node --version), VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$OUT/nvidia-smi.txt" 2>&1
export PRANET_PYTHON=${PRANET_PYTHON:-$(command -v python3)}
export PRANET_SHARED=$PWD/.device/shared   # the calibration images pack.sh copied
"$PRANET_PYTHON" -c 'import torch, numpy; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' >> "$OUT/steps.txt" 2>&1

log "pranet info"
node bin/pranet.js info > "$OUT/info.txt" 2>&1 || log "info failed (exit $?)"
log "bench, $PRESET, peers"
timeout 420 node bin/pranet.js bench --random "$PRESET" --peers --runs "$RUNS" --threads "$(nproc)" --json "$OUT/bench-$PRESET.json" \
  > "$OUT/bench-$PRESET.txt" 2>&1 || log "bench failed or timed out (exit $?)"
log "profile, $PRESET"
timeout 120 node bin/pranet.js profile --random "$PRESET" --top 15 > "$OUT/profile-$PRESET.txt" 2>&1 || log "profile failed (exit $?)"
log "done"
