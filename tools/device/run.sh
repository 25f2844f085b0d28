#!/usr/bin/env bash
# Runs on the lent GPU machine (device tool, carry [".device"]), after tools/device/pack.sh here:
#   bash tools/device/run.sh
# Unpacks node and the runtime, points the Vulkan loader at NVIDIA's driver, then records into $OUT: info.txt
# (the adapter), tune-*.txt and table-*.json (pranet tune), bench-*-{defaults,tuned}.json/.txt (PraNet
# 352x352 with seeded random weights, made there by PyTorch, against onnxruntime CPU/WebGPU and PyTorch CPU
# and CUDA, batch 1), the engine at batch 16 both ways and PyTorch eager at batch 16 (torch-batch16.json),
# profile-*.txt/.json (tuned, unquantized timestamps), bench-frames.* (the built-in model's frame path on
# generated 1080p frames) and summary.txt. About 6 minutes on an H100.
# PRESET, RUNS, SIZE, BATCH, CANDIDATES, FRAMES (default official, 10, 352, 16, all, 1920x1080), TUNE_S and SKIP_DEBS=1 (keep
# this machine's own loaders) serve a dry run on a development machine:
#   PRESET=tiny RUNS=1 SIZE=64 BATCH=2 CANDIDATES=1 FRAMES=320x240 SKIP_DEBS=1 OUT=/tmp/out bash tools/device/run.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/pranet-device-out}
PRESET=${PRESET:-official}
RUNS=${RUNS:-10}
SIZE=${SIZE:-352}
BATCH=${BATCH:-16}
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
# Tuning first: its table then serves the benches and the profile that follow.
log "tune, $PRESET, batch 1"
timeout "${TUNE_S:-200}" node bin/pranet.js tune --random "$PRESET" --size "$SIZE" ${CANDIDATES:+--candidates "$CANDIDATES"} --out "$OUT/table-$PRESET.json" \
  > "$OUT/tune-$PRESET.txt" 2>&1 || log "tune failed or timed out (exit $?)"
TABLE=none
[ -f "$OUT/table-$PRESET.json" ] && TABLE=$OUT/table-$PRESET.json
for t in none "$TABLE"; do
  name=$([ "$t" = none ] && echo defaults || echo tuned)
  [ "$name" = tuned ] && [ "$t" = none ] && continue
  log "bench, $PRESET, batch 1, peers, tiling: $name"
  timeout 150 node bin/pranet.js bench --random "$PRESET" --size "$SIZE" --peers --runs "$RUNS" --threads "$(nproc)" --tuning "$t" \
    --json "$OUT/bench-$PRESET-$name.json" > "$OUT/bench-$PRESET-$name.txt" 2>&1 || log "bench failed or timed out (exit $?)"
done
log "bench, $PRESET, batch $BATCH, engine (defaults and tuned) and PyTorch eager"
for t in none "$TABLE"; do
  name=$([ "$t" = none ] && echo defaults || echo tuned)
  timeout 90 node bin/pranet.js bench --random "$PRESET" --size "$SIZE" --batch "$BATCH" --runs "$RUNS" --tuning "$t" \
    --json "$OUT/bench-$PRESET-batch$BATCH-$name.json" > "$OUT/bench-$PRESET-batch$BATCH-$name.txt" 2>&1 || log "batch bench failed (exit $?)"
done
# The seeded checkpoint the peers' run made (in the package's .cache or the user's cache folder).
ckpt=$(find .cache/bench "${XDG_CACHE_HOME:-$HOME/.cache}/pranet-wgsl" -path "*$PRESET-seed0*" -name '*.pth' 2>/dev/null | head -1)
if [ -n "$ckpt" ]; then
  timeout 90 "$PRANET_PYTHON" tools/device/torch_batch.py --weights "$ckpt" --batch "$BATCH" --size "$SIZE" --runs "$RUNS" \
    > "$OUT/torch-batch$BATCH.json" 2>> "$OUT/steps.txt" || log "torch batch failed (exit $?)"
else
  log "no checkpoint from the peers' run for torch_batch.py"
fi
# Issue 14's real-time target: the built-in model on generated 1920x1080 frames (the machine has no ffmpeg).
log "bench --frames 1920x1080, built-in model"
timeout 60 node bin/pranet.js bench --frames "${FRAMES:-1920x1080}" --runs "$RUNS" --json "$OUT/bench-frames.json" \
  > "$OUT/bench-frames.txt" 2>&1 || log "frames bench failed (exit $?)"
log "profile, $PRESET, tuned table, unquantized timestamps"
timeout 90 node bin/pranet.js profile --random "$PRESET" --size "$SIZE" --top 15 --tuning "$TABLE" --json "$OUT/profile-$PRESET.json" \
  > "$OUT/profile-$PRESET.txt" 2>&1 || log "profile failed (exit $?)"
node tools/device/summary.mjs "$OUT" "$BATCH" > "$OUT/summary.txt" 2>&1 || log "summary failed (exit $?)"
cat "$OUT/summary.txt"
log "done"
