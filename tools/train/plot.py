"""Draws log.csv as a PNG with PIL (matplotlib is not installed): losses on the left, Dice on the right."""
import csv

from PIL import Image, ImageDraw

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"]


def _panel(draw, box, series, title):
    x0, y0, x1, y1 = box
    draw.rectangle(box, outline="black")
    draw.text((x0 + 5, y0 - 14), title, fill="black")
    values = [v for _, ys in series for v in ys]
    if not values:
        return
    lo, hi = min(values), max(values)
    hi = hi if hi > lo else lo + 1
    n = max(len(ys) for _, ys in series)
    for frac in (0, 0.5, 1):
        y = y1 - frac * (y1 - y0)
        draw.text((x0 - 48, y - 6), f"{lo + frac * (hi - lo):.3f}", fill="black")
    draw.text((x1 - 60, y1 + 4), f"epoch {n}", fill="black")
    for k, (name, ys) in enumerate(series):
        pts = [(x0 + (x1 - x0) * i / max(n - 1, 1), y1 - (y1 - y0) * (v - lo) / (hi - lo)) for i, v in enumerate(ys)]
        if len(pts) > 1:
            draw.line(pts, fill=COLOURS[k], width=2)
        draw.text((x0 + 8, y0 + 6 + 14 * k), name, fill=COLOURS[k])


def plot_log(csv_path, png_path):
    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    col = lambda key: [float(r[key]) for r in rows]  # noqa: E731
    # runs with negatives (train.py --neg-per-batch) also log detection / false-alarm rates: a third panel
    rates = bool(rows) and all(r.get("val_fa") not in (None, "", "nan") for r in rows)
    image = Image.new("RGB", (1450 if rates else 1000, 420), "white")
    draw = ImageDraw.Draw(image)
    _panel(draw, (70, 30, 480, 380), [("train loss", col("train_loss")), ("val loss", col("val_loss"))], "loss")
    _panel(draw, (570, 30, 980, 380), [("val mDice (256 thr)", col("val_mdice")),
                                       ("val Dice@0.5", col("val_dice05"))], "validation Dice")
    if rates:
        _panel(draw, (1030, 30, 1440, 380), [("val det (pos max p >= 0.5)", col("val_det")),
                                             ("val fa (neg crop max p >= 0.5)", col("val_fa"))],
               "validation detection / false alarms")
    image.save(png_path)
