#!/usr/bin/env bash
# Ships a training run's best checkpoint as the built-in model and records how it was measured:
#   bash tools/train/ship.sh [RUN]        (default compact-v1; needs `npm run build` first)
# Writes weights/pranet-kvasir-compact.f16.pnw and, in tools/train/runs/RUN/:
#   f16-check.txt     Dice between the float32 and float16 weights' masks on the 90 validation images
#   test-kvasir.json  `pranet eval` of the shipped file on the 100 Kvasir test images (scored once, at shipping)
#   test-quiet.json   the shipped file in PyTorch (evaluate.py --negatives) on the same 100 images: mDice, share
#                     of the images with max prob >= 0.5 and share of their polyp-free crops with max prob >= 0.5
#   shipped.json      which checkpoint (epoch, validation scores) went into which file (sha256)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=${1:-compact-v1}
DIR=tools/train/runs/$RUN
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp ".cache/train/$RUN/best.pth" "$TMP/best.pth"   # a copy: the training may write a new best meanwhile
cp "$DIR/best.json" "$TMP/best.json"
node bin/pranet.js convert "$TMP/best.pth" -o "$TMP/model.f32.pnw"
node bin/pranet.js convert "$TMP/best.pth" -o "$TMP/model.f16.pnw" --f16
node dist/tools/train/f16-check.js "$TMP/model.f32.pnw" "$TMP/model.f16.pnw" tools/train/split_val.txt 2>&1 \
  | grep -v 'artificially reduced' | tee "$DIR/f16-check.txt"
cp "$TMP/model.f16.pnw" weights/pranet-kvasir-compact.f16.pnw
node bin/pranet.js eval --images ../shared/data/polyp/TestDataset/Kvasir/images \
  --gt ../shared/data/polyp/TestDataset/Kvasir/masks --json "$DIR/test-kvasir.json" 2>&1 | grep -v 'artificially reduced'
nice -n 10 /usr/bin/python3 tools/train/evaluate.py --weights weights/pranet-kvasir-compact.f16.pnw --negatives \
  --json "$DIR/test-quiet.json"
/usr/bin/python3 - "$TMP/best.json" weights/pranet-kvasir-compact.f16.pnw "$DIR/shipped.json" <<'PY'
import hashlib, json, os, sys
best, weights, out = sys.argv[1:]
record = {"checkpoint": json.load(open(best)), "weights": weights, "bytes": os.path.getsize(weights),
          "sha256": hashlib.sha256(open(weights, "rb").read()).hexdigest()}
json.dump(record, open(out, "w"), indent=2)
print(json.dumps(record, indent=2))
PY
