"""A good practice's photos lose their metadata before they are stored: a phone's JPEG carries EXIF
(the place it was taken, to a few metres; the camera; the time), and a photo published on the portal
must not say where a child lives. Pillow is already installed (matplotlib needs it): the picture is
turned upright by its EXIF orientation, then written again without any metadata."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Written again at a quality a photo of an activity does not visibly lose.
JPEG_QUALITY = 90
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def without_metadata(content_type: str, content: bytes, name: str) -> bytes:
    """The picture without EXIF, XMP, comments or text chunks; other types are returned unchanged."""
    target = FORMATS.get(content_type)
    if target is None:
        return content
    try:
        with Image.open(io.BytesIO(content)) as image:
            upright = ImageOps.exif_transpose(image)
            if target == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            # No exif=, no icc_profile=, no pnginfo=: nothing but the pixels is written.
            upright.save(out, format=target, **({"quality": JPEG_QUALITY} if target == "JPEG" else {}))
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ValidationError(_("%(name)s: the picture cannot be read.") % {"name": name}) from error
    return out.getvalue()
