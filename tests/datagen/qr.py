"""Real QR codes for generated cards and certificates (segno), in the layouts the issuers use.

* CCCD / Căn cước front: ``id|old id|name|ddmmyyyy birth|sex|address|ddmmyyyy issue`` (the
  chip cards' QR; the old 9-digit CMND number is empty for people who never had one);
* land-use certificate of the 2024 layout: ``serial|holder id|holder name|parcel|map sheet|area
  m²|registry number``. The official content of the 2024 certificate's QR is not published in a
  form we hold; this is the project's own layout, and its parser (pipeline/documents/qr.py)
  checks every value's shape, so a differently ordered code is rejected, never misread.

Nothing here draws from the generator's random stream: the old id comes from a generator
seeded with the person's id, so adding the codes changed no other value of the generated sets.
"""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import segno
from PIL import Image

from tests.datagen import values as v


def old_id_number(person: v.Person) -> str:
    """A 9-digit CMND number for about two people in three, fixed by the person's id."""
    rng = random.Random(f"cmnd:{person.id_number}")
    return "" if rng.random() < 0.35 else "".join(str(rng.randint(0, 9)) for _ in range(9))


def _ddmmyyyy(d: date) -> str:
    return f"{d.day:02d}{d.month:02d}{d.year}"


def cccd_payload(person: v.Person, issued: date) -> str:
    return "|".join(
        [person.id_number, old_id_number(person), person.name_upper, _ddmmyyyy(person.date_of_birth),
         person.sex, person.residence, _ddmmyyyy(issued)]
    )  # fmt: skip


def land_payload(fields: dict[str, str]) -> str:
    keys = ("certificate_serial", "holder_id_number", "holder_name", "parcel_number", "map_sheet_number",
            "area_m2", "registry_number")  # fmt: skip
    return "|".join(" ".join(fields[k].split()) for k in keys)


def qr_image(payload: str, size_px: int) -> Image.Image:
    """The code with its quiet zone, ``size_px`` square, black on white, modules whole pixels."""
    code = segno.make_qr(payload, error="m", encoding="utf-8")
    dark = np.array([list(row) for row in code.matrix_iter(scale=1, border=2)], dtype=bool)
    grey = np.where(dark, 0, 255).astype(np.uint8)
    img = Image.fromarray(grey, "L").convert("RGB")
    return img.resize((size_px, size_px), Image.Resampling.NEAREST)
