"""Finding the uploaded images a Markdown text shows, by the paths the upload page hands out:
"/uploads/<id>/<name>" and "/uploads/<id>/thumb/<name>"."""
from __future__ import annotations

import re

_REFERENCE = re.compile(r"/uploads/(\d{1,9})/(?:thumb/)?[0-9a-f]{16}\.(?:jpg|png|webp|gif)\b")


def referenced_ids(body: str | None) -> list[int]:
    """The upload ids a text shows, each once, in order."""
    seen: dict[int, None] = {}
    for match in _REFERENCE.finditer(body or ""):
        seen.setdefault(int(match[1]), None)
    return list(seen)
