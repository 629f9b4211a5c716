"""Image files for the upload tests, made on the spot with Pillow."""
from __future__ import annotations

import io
import struct

from PIL import Image, ImageDraw


def jpeg(width: int = 64, height: int = 48, colour=(200, 40, 40), exif: bytes | None = None,
         orientation: int | None = None) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    ImageDraw.Draw(image).rectangle((0, 0, width // 2, height // 4), fill=(0, 0, 255))
    info = Image.Exif()
    if orientation:
        info[0x0112] = orientation
    out = io.BytesIO()
    kwargs = {}
    if exif is not None or orientation:
        if exif is not None:
            kwargs["exif"] = exif
        else:
            kwargs["exif"] = info.tobytes()
    image.save(out, "JPEG", **kwargs)
    return out.getvalue()


def gps_exif() -> bytes:
    """EXIF with a GPS position and a camera maker: what must not reach readers."""
    info = Image.Exif()
    info[0x010F] = "SecretCam"  # Make
    gps = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    info[0x8825] = gps  # GPSInfo
    return info.tobytes()


def png(width: int = 40, height: int = 30, text: str | None = None) -> bytes:
    from PIL import PngImagePlugin

    image = Image.new("RGBA", (width, height), (10, 200, 10, 128))
    out = io.BytesIO()
    meta = None
    if text:
        meta = PngImagePlugin.PngInfo()
        meta.add_text("Comment", text)
    image.save(out, "PNG", pnginfo=meta)
    return out.getvalue()


def webp(width: int = 30, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (1, 2, 200)).save(out, "WEBP")
    return out.getvalue()


def gif(frames: int = 3, side: int = 16) -> bytes:
    images = []
    for index in range(frames):
        frame = Image.new("RGB", (side, side), (255, 255, 255))
        # A different spot and colour on each frame, so no encoder merges two of them.
        ImageDraw.Draw(frame).rectangle(
            (index % side, (index // side) % side, index % side + 2, (index // side) % side + 2),
            fill=((index * 67) % 256, (index * 131) % 256, (index * 29) % 256))
        images.append(frame)
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=40, loop=0,
                   comment=b"secret comment")
    return out.getvalue()


def huge_header_jpeg(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small JPEG whose header claims ``width`` × ``height`` pixels."""
    data = bytearray(jpeg(16, 16))
    at = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, at + 5, height, width)
    return bytes(data)


def html_as_png() -> bytes:
    """A "PNG" that is really an HTML page with a script."""
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
