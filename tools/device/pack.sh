#!/usr/bin/env bash
# Packs what a GPU machine lent through the device tool lacks (it has no Node.js and no package registry)
# into .device/ (git-ignored), within the tool's 64 MiB transfer limit together with the working tree:
# the node binary, the runtime node_modules (webgpu's dawn.node for linux-x64, the image libraries,
# onnxruntime-node for the peers), the built dist/, 8 calibration images and the amd64 Vulkan/EGL loader
# packages.
# Then tools/device/run.sh runs there; see tools/device/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
D=.device
rm -rf "$D" && mkdir -p "$D/debs"
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
npm run build --silent
xz -T0 -6 -c "$(command -v node)" > "$D/node.xz"
tar -cJf "$D/runtime.tar.xz" dist \
  node_modules/webgpu/package.json node_modules/webgpu/index.js node_modules/webgpu/dist/linux-x64 \
  node_modules/upng-js node_modules/pako node_modules/jpeg-js \
  node_modules/onnxruntime-common node_modules/onnxruntime-node/package.json node_modules/onnxruntime-node/dist \
  node_modules/onnxruntime-node/lib node_modules/onnxruntime-node/bin/napi-v6/linux/x64
# The first 8 Kvasir training images (sorted by name): make_bench_checkpoint.py calibrates batchnorm on
# them there, as here (../shared does not travel).
calib="$D/shared/data/polyp/TrainDataset/Kvasir/images"
mkdir -p "$calib"
ls ../shared/data/polyp/TrainDataset/Kvasir/images | sort | head -8 | while read -r f; do cp "../shared/data/polyp/TrainDataset/Kvasir/images/$f" "$calib/"; done
# The loaders (libvulkan1, EGL/GL dispatch) for amd64, whatever this machine's architecture.
opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/pranet-amd64-lists)
mkdir -p /tmp/pranet-amd64-lists/partial
apt-get "${opts[@]}" update -qq
(cd "$D/debs" && apt-get "${opts[@]}" download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
# What travels: .device and the working tree's files that git tracks or does not ignore. Over the device
# tool's 64 MiB the call would fail there, after the machine's start-up has been paid for: refuse here.
tree=$(git ls-files -z -co --exclude-standard | du -cb --files0-from=- | tail -1 | cut -f1)
packed=$(du -sb "$D" | cut -f1)
limit=$((64 * 1024 * 1024))
echo "packed $D: $packed bytes; the working tree that travels: $tree bytes; together $((packed + tree)) of $limit"
if [ $((packed + tree)) -gt $limit ]; then
  echo "pack.sh: over the device tool's 64 MiB transfer limit: remove large untracked files or trim .device" >&2
  exit 1
fi
