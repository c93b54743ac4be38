"""Consistency checks of a truth file against itself and its scan file, shared by the tests and usable
by anyone who wants to vet a generated set (``problems(path)`` returns a list of messages)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pikepdf
from PIL import Image

from tests.datagen.mrz import check_digit
from tests.datagen.values import PROVINCES, century_sex_digit
from tests.datagen.writer import read_truth

DATE_KEYS = re.compile(r"(date|date_of_birth|_date)$")


def flat(text: str) -> str:
    return " ".join(text.split())


def printed_forms(key: str, value: str) -> list[str]:
    """How a normalised value may appear on paper."""
    if DATE_KEYS.search(key) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        d = date.fromisoformat(value)
        return [d.strftime("%d/%m/%Y"), f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"]
    if key == "area_m2":
        return [value.replace(".", ",")]
    return [value]


def cccd_problems(id_number: str, dob: str | None, sex: str | None) -> list[str]:
    out = []
    if not re.fullmatch(r"\d{12}", id_number):
        return [f"id {id_number!r} is not 12 digits"]
    if id_number[:3] not in PROVINCES:
        out.append(f"id {id_number}: unknown province code {id_number[:3]}")
    if dob and sex:
        d = date.fromisoformat(dob)
        if int(id_number[3]) != century_sex_digit(d.year, sex):
            out.append(f"id {id_number}: digit 4 does not match {sex} born {d.year}")
        if id_number[4:6] != f"{d.year % 100:02d}":
            out.append(f"id {id_number}: digits 5-6 do not match birth year {d.year}")
    return out


def mrz_problems(text: str, fields: dict[str, str]) -> list[str]:
    lines = [ln for ln in text.splitlines() if len(ln) == 30 and re.fullmatch(r"[A-Z0-9<]{30}", ln)]
    if not lines:
        return []
    if len(lines) != 3 or not lines[0].startswith("IDVNM"):
        return [f"MRZ malformed: {lines}"]
    l1, l2, _ = lines
    out = []
    if check_digit(l1[5:14]) != l1[14] or check_digit(l1[15:27]) != l1[29]:
        out.append("MRZ line 1 check digits")
    if check_digit(l2[0:6]) != l2[6] or check_digit(l2[8:14]) != l2[14]:
        out.append("MRZ line 2 check digits")
    if check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]) != l2[29]:
        out.append("MRZ composite check digit")
    if l1[15:27] != fields.get("id_number"):
        out.append("MRZ id differs from id_number")

    def yymmdd(key: str) -> str:
        return date.fromisoformat(fields[key]).strftime("%y%m%d")

    if "date_of_birth" in fields and yymmdd("date_of_birth") != l2[0:6]:
        out.append("MRZ birth date differs")
    if "expiry_date" in fields and yymmdd("expiry_date") != l2[8:14]:
        out.append("MRZ expiry differs")
    if "sex" in fields and {"Nam": "M", "Nữ": "F"}[fields["sex"]] != l2[7]:
        out.append("MRZ sex differs")
    return out


def open_pages(path: Path, fmt: str) -> list[tuple[int, int, int | None]]:
    """(width, height, dpi or None) of every page, read with the declared format's own reader."""
    out: list[tuple[int, int, int | None]] = []
    if fmt == "pdf":
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                images = list(page.get_images().values())
                if len(images) != 1:
                    raise ValueError(f"{path.name}: page with {len(images)} images")
                img = images[0]
                box = [float(x) for x in page.mediabox]
                out.append((int(img.Width), int(img.Height), round(int(img.Width) * 72 / (box[2] - box[0]))))
            return out
    expected = {"tiff": "TIFF", "jpeg": "JPEG", "png": "PNG"}[fmt]
    with Image.open(path) as im:
        if im.format != expected:
            raise ValueError(f"{path.name}: {im.format}, not {expected}")
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            dpi: int | None = None
            tags = getattr(im, "tag_v2", {})
            if fmt == "tiff":
                if 282 in tags:  # XResolution; absent when the scanner wrote none
                    dpi = round(float(tags[282]))
            elif "dpi" in im.info:
                dpi = round(float(im.info["dpi"][0]))
            out.append((im.width, im.height, dpi))
        return out


def problems(scan: Path) -> list[str]:
    t = read_truth(scan)
    out: list[str] = []
    if t["file"] != scan.name:
        out.append(f"truth names {t['file']}")
    pages = open_pages(scan, t["format"])
    if len(pages) != t["pages"] or len(t["page_info"]) != t["pages"]:
        out.append(f"{len(pages)} pages in file, truth says {t['pages']}")
    for (w, h, dpi), info in zip(pages, t["page_info"], strict=False):
        if (w, h) != (info["width"], info["height"]):
            out.append(f"page {info['page']}: {w}x{h}, truth {info['width']}x{info['height']}")
        if info["dpi_in_file"] and dpi != info["dpi"]:
            out.append(f"page {info['page']}: dpi {dpi} in file, truth {info['dpi']}")
        if not info["dpi_in_file"] and dpi not in (None, 1):
            out.append(f"page {info['page']}: carries dpi {dpi} but should not")
    seen: list[int] = []
    for doc in t["documents"]:
        seen += doc["pages"]
        text = doc["text"]
        if unicodedata.normalize("NFC", text) != text:
            out.append(f"{doc['doc_type']}: text not NFC")
        if len(doc["page_texts"]) != len(doc["pages"]) or "\n".join(doc["page_texts"]) != text:
            out.append(f"{doc['doc_type']}: page_texts do not make up text")
        body = flat(text)
        for key, value in doc["fields"].items():
            if value != flat(value) or unicodedata.normalize("NFC", value) != value:
                out.append(f"{doc['doc_type']}.{key} not normalised")
            if not any(form in body for form in printed_forms(key, value)):
                out.append(f"{doc['doc_type']}.{key}={value!r} not in the text")
        f = doc["fields"]
        for prefix, sex in (("", f.get("sex")), ("husband_", "Nam"), ("wife_", "Nữ"), ("holder_", None)):
            if f"{prefix}id_number" in f:
                out += cccd_problems(f[f"{prefix}id_number"], f.get(f"{prefix}date_of_birth"), sex)
        if doc["doc_type"] == "cccd":
            out += mrz_problems(text, f)
    if sorted(seen) != list(range(1, t["pages"] + 1)):
        out.append(f"document pages {seen} do not cover 1..{t['pages']} once")
    return out
