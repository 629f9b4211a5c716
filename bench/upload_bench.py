"""Upload throughput: how long re-encoding an image takes, per MB of what was sent.

Runs ``forum.common.images.process`` (the whole of what an upload costs in CPU: decoding,
orientation, bounding, encoding the display size and the thumbnail) and ``avatar`` over
photo-like images of a few sizes and formats, made on the spot, and prints the median time
per file and per MB sent. No database, no server: storing is a file write or one PUT.

    python bench/upload_bench.py             # 5 rounds per case
    python bench/upload_bench.py --rounds 9
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from forum.common import images  # noqa: E402


def photo(width: int, height: int) -> Image.Image:
    """Noise under shapes, blurred: compresses like a photo, unlike a flat colour."""
    base = Image.effect_noise((width, height), 60).convert("RGB")
    draw = ImageDraw.Draw(base)
    for index in range(12):
        x, y = index * width // 12, (index * 7 % 12) * height // 12
        draw.ellipse((x, y, x + width // 5, y + height // 5),
                     fill=(index * 20 % 256, 120, 255 - index * 20 % 256))
    return base.filter(ImageFilter.GaussianBlur(1))


def encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "GIF":
        frames = [image.rotate(angle) for angle in range(0, 40, 4)]
        frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=80)
    else:
        image.save(out, fmt, **({"quality": 90} if fmt in {"JPEG", "WEBP"} else {}))
    return out.getvalue()


CASES = [
    ("JPEG 12 MP (4000×3000)", 4000, 3000, "JPEG"),
    ("JPEG 2 MP (1600×1200)", 1600, 1200, "JPEG"),
    ("PNG 2 MP (1600×1200)", 1600, 1200, "PNG"),
    ("WebP 12 MP (4000×3000)", 4000, 3000, "WEBP"),
    ("GIF 10 frames 480×360", 480, 360, "GIF"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{'case':28} {'sent':>9} {'process':>9} {'per MB':>9} {'avatar':>9}")
    for label, width, height, fmt in CASES:
        data = encoded(photo(width, height), fmt)
        mb = len(data) / (1024 * 1024)
        times, avatar_times = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            images.process(data)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            images.avatar(data)
            avatar_times.append(time.perf_counter() - start)
        median = statistics.median(times)
        print(f"{label:28} {mb:8.2f}M {median * 1000:7.0f}ms {median / mb * 1000:7.0f}ms "
              f"{statistics.median(avatar_times) * 1000:7.0f}ms")


if __name__ == "__main__":
    main()
