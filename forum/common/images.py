"""Decoding an uploaded image and encoding it again, with Pillow, within fixed bounds.

Nothing a member sends is ever served as sent: the pixels are decoded and written anew, so
metadata (EXIF with its GPS position, comments, colour profiles, anything smuggled after the
image data) stays behind, the EXIF orientation is applied to the pixels, and what comes out
is a plain JPEG, PNG, WebP or GIF. Sizes are checked from the header before any pixel is
decoded, so a small file claiming 60,000 × 60,000 pixels costs nothing.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

# The decoders we allow: Pillow would otherwise try every format it knows (and some of
# their parsers are rarely exercised).
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

MAX_PIXELS = 40_000_000  # one frame: 40 megapixels, a large camera's photo
MAX_SIDE = 20_000
MAX_FRAMES = 300  # an animation's frames
MAX_ANIMATION_PIXELS = 100_000_000  # all frames together
DISPLAY_SIDE = 1600  # the longest side shown in a post
THUMB_SIDE = 320


class ImageRefused(ValueError):
    """The file is not an image we take; ``code`` says why (the caller words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Encoded:
    data: bytes
    ext: str  # jpg, png, webp or gif

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def key(self) -> str:
        return f"{self.digest}.{self.ext}"


@dataclass(frozen=True)
class Processed:
    display: Encoded
    thumb: Encoded
    width: int
    height: int


def _open(data: bytes) -> Image.Image:
    if not data:
        raise ImageRefused("empty")
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own pixel limit and raises past twice that; our limit is
            # checked below, from the header, whatever Pillow's global setting is.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageRefused("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRefused("not_an_image") from None
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageRefused("not_an_image")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageRefused("too_many_pixels")
    return image


def _frames(image: Image.Image) -> list[Image.Image]:
    """Every frame, decoded, counting as it goes so a file of thousands of frames stops at
    the limit rather than after decoding them all."""
    frames: list[Image.Image] = []
    width, height = image.size
    for frame in ImageSequence.Iterator(image):
        if len(frames) >= MAX_FRAMES or (len(frames) + 1) * width * height > \
                MAX_ANIMATION_PIXELS:
            raise ImageRefused("too_many_frames")
        frames.append(frame.convert("RGBA"))
    return frames


def _bounded(image: Image.Image, side: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    return copy


def _encode(image: Image.Image, fmt: str) -> Encoded:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif fmt == "PNG":
        image.save(out, "PNG")
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=85, method=4)
    else:
        image.convert("RGBA").save(out, "GIF")
    return Encoded(out.getvalue(), EXTENSIONS[fmt])


def _encode_animation(frames: list[Image.Image], durations: list[int], loop: int) -> Encoded:
    out = io.BytesIO()
    first, *rest = frames
    first.save(out, "GIF", save_all=True, append_images=rest, duration=durations, loop=loop,
               disposal=2)
    return Encoded(out.getvalue(), "gif")


def _clean(image: Image.Image) -> Image.Image:
    """A new image of the pixels alone: nothing of the file's ``info`` (comments, EXIF,
    ICC profiles, PNG text chunks) travels to the encoder."""
    mode = image.mode if image.mode in {"RGB", "RGBA", "L", "LA"} else (
        "RGBA" if "transparency" in image.info or image.mode in {"PA", "P"} else "RGB")
    pixels = image.convert(mode)
    fresh = Image.new(mode, pixels.size)
    fresh.paste(pixels)
    return fresh


def process(data: bytes) -> Processed:
    """The display image and thumbnail for an uploaded file, or ``ImageRefused``."""
    image = _open(data)
    fmt = image.format
    try:
        animated = fmt in {"GIF", "WEBP"} and getattr(image, "is_animated", False)
        if animated:
            frames = _frames(image)
            durations = []
            for index in range(len(frames)):
                image.seek(index)
                durations.append(int(image.info.get("duration", 100)) or 100)
            loop = int(image.info.get("loop", 0))
            display_frames = [_clean(_bounded(frame, DISPLAY_SIDE)) for frame in frames]
            display = _encode_animation(display_frames, durations, loop)
            still = display_frames[0]
        else:
            # A JPEG decodes at a half, quarter or eighth of its size for much less; still
            # at least the display size.
            image.draft("RGB", (DISPLAY_SIDE, DISPLAY_SIDE))
            image.load()
            upright = ImageOps.exif_transpose(image)
            still = _clean(_bounded(upright, DISPLAY_SIDE))
            display = _encode(still, fmt)
        thumb_format = "WEBP" if fmt == "WEBP" else ("JPEG" if fmt == "JPEG" else "PNG")
        thumb = _encode(_clean(_bounded(still, THUMB_SIDE)), thumb_format)
    except ImageRefused:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        # Truncated or corrupt data past a valid header.
        raise ImageRefused("not_an_image") from None
    return Processed(display=display, thumb=thumb, width=still.width, height=still.height)


AVATAR_SIZES = (48, 96, 256)  # the header's and lists' 28 and 48 pixels, the profile's 96, at 2×


def avatar(data: bytes) -> list[Encoded]:
    """An avatar in each of ``AVATAR_SIZES``: the middle square of the picture (the first
    frame of an animation), upright, as WebP."""
    image = _open(data)
    try:
        image.seek(0)
        image.draft("RGB", (AVATAR_SIZES[-1], AVATAR_SIZES[-1]))
        image.load()
        upright = ImageOps.exif_transpose(image).convert("RGBA")
        return [_encode(_clean(ImageOps.fit(upright, (side, side), Image.Resampling.LANCZOS)),
                        "WEBP") for side in AVATAR_SIZES]
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise ImageRefused("not_an_image") from None
