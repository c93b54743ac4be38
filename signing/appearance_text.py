"""The text a form field's appearance stream draws, decoded through its fonts.

The displayed-content check compares what a filled field shows with its value. Simple fonts
draw one byte per character; a composite (Type0) font draws 2-byte codes that mean nothing
without the font's /ToUnicode CMap (DocuSign, Acrobat and iText fill Vietnamese and other
non-Latin values that way). Text that cannot be decoded comes back as U+FFFD, so it never
matches a value by accident. Best effort and bounded: strings drawn by nested XObjects are not
followed (such an appearance does not show the value, so it is refused), CMaps are capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils import generic, misc

__all__ = ["shown_text"]

_UNKNOWN = "\ufffd"
#: a CMap larger than this (bytes, or mapping entries) is not a field font's
_MAX_CMAP = 2_000_000
_MAX_ENTRIES = 200_000

_TOKENS = re.compile(
    rb"(?P<lit>\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\))"  # a literal string, one level of nesting
    rb"|(?P<hex><[0-9A-Fa-f\s]*>)(?!>)"  # a hex string (not a dictionary's >>)
    rb"|/(?P<font>[^\s/\[\]()<>{}%]+)\s+[-+0-9.]+\s+Tf",  # a font selection
    re.S,
)
_READ_ERRORS = (misc.PdfError, ValueError, TypeError, KeyError, NotImplementedError, IndexError)


def shown_text(widget: generic.DictionaryObject) -> str | None:
    """The strings the widget's normal appearance draws, in order; None without one."""
    try:
        n = widget["/AP"]["/N"]
    except _READ_ERRORS:
        return None
    if not isinstance(n, generic.StreamObject):
        return None
    try:
        data = n.data
        fonts = _fonts(n)
    except _READ_ERRORS:
        return None
    current: _Decoder = _PLAIN
    decoders: dict[str, _Decoder] = {}
    parts = []
    for m in _TOKENS.finditer(data):
        if m.group("font") is not None:
            name = "/" + m.group("font").decode("latin-1")
            if name not in decoders:
                decoders[name] = _decoder(fonts.get(name))
            current = decoders[name]
            continue
        raw = m.group(0)
        if m.group("hex") is not None:
            digits = re.sub(rb"\s", b"", raw[1:-1])
            b = bytes.fromhex(digits.decode() + ("0" if len(digits) % 2 else ""))
        else:
            b = _unescape(raw[1:-1])
        parts.append(current.decode(b))
    return "".join(parts)


def _obj(value: Any) -> Any:
    """``value`` itself, an indirect reference followed (``dict.get`` does not)."""
    for _ in range(32):
        if not isinstance(value, generic.IndirectObject):
            return value
        value = value.get_object()
    return None


def _fonts(stream: generic.StreamObject) -> dict[str, Any]:
    res = _obj(stream.get("/Resources"))
    if not isinstance(res, generic.DictionaryObject):
        return {}
    fonts = _obj(res.get("/Font"))
    if not isinstance(fonts, generic.DictionaryObject):
        return {}
    return {str(k): fonts[k] for k in fonts}


@dataclass
class _Decoder:
    """Codes to text: the font's ToUnicode CMap, or one byte per character."""

    widths: tuple[int, ...] = (1,)
    spaces: list[tuple[bytes, bytes]] = field(default_factory=list)
    chars: dict[bytes, str] = field(default_factory=dict)
    ranges: list[tuple[bytes, bytes, str | list[str]]] = field(default_factory=list)
    plain: bool = True

    def decode(self, b: bytes) -> str:
        if self.plain:
            if b.startswith(b"\xfe\xff"):
                return b[2:].decode("utf-16-be", "replace")
            return b.decode("latin-1")
        out = []
        i = 0
        while i < len(b):
            width = self._width(b, i)
            code = b[i : i + width]
            out.append(self._lookup(code))
            i += width
        return "".join(out)

    def _width(self, b: bytes, i: int) -> int:
        for w in self.widths:
            code = b[i : i + w]
            if len(code) == w and any(len(lo) == w and lo <= code <= hi for lo, hi in self.spaces):
                return w
        return self.widths[-1] if not self.spaces else self.widths[0]

    def _lookup(self, code: bytes) -> str:
        if code in self.chars:
            return self.chars[code]
        for lo, hi, dst in self.ranges:
            if len(lo) == len(code) and lo <= code <= hi:
                offset = int.from_bytes(code, "big") - int.from_bytes(lo, "big")
                if isinstance(dst, list):
                    return dst[offset] if offset < len(dst) else _UNKNOWN
                if not dst:
                    return _UNKNOWN
                last = ord(dst[-1]) + offset
                return dst[:-1] + chr(last) if last < 0x110000 else _UNKNOWN
        return _UNKNOWN


_PLAIN = _Decoder()


def _decoder(font_ref: Any) -> _Decoder:
    try:
        font = _obj(font_ref)
        if not isinstance(font, generic.DictionaryObject):
            return _PLAIN
        composite = _obj(font.get("/Subtype")) == "/Type0"
        cmap = _obj(font.get("/ToUnicode"))
        if isinstance(cmap, generic.StreamObject):
            data = cmap.data
            if len(data) <= _MAX_CMAP:
                return _parse_cmap(data, default_width=2 if composite else 1)
    except _READ_ERRORS:
        pass
    if composite:  # 2-byte codes with no way to read them: nothing can match a value
        return _Decoder(widths=(2,), plain=False)
    return _PLAIN


_HEX = rb"<([0-9A-Fa-f\s]*)>"
_SECTION = re.compile(rb"begin(codespacerange|bfchar|bfrange)(.*?)end\1", re.S)
_PAIR = re.compile(_HEX + rb"\s*" + _HEX)
_RANGE = re.compile(_HEX + rb"\s*" + _HEX + rb"\s*(?:" + _HEX + rb"|\[((?:\s*<[0-9A-Fa-f\s]*>)*)\s*\])")


def _parse_cmap(data: bytes, default_width: int) -> _Decoder:
    d = _Decoder(plain=False)
    entries = 0
    for m in _SECTION.finditer(data):
        kind, body = m.group(1), m.group(2)
        if kind == b"codespacerange":
            for lo, hi in _PAIR.findall(body):
                d.spaces.append((_bytes(lo), _bytes(hi)))
        elif kind == b"bfchar":
            for src, dst in _PAIR.findall(body):
                d.chars[_bytes(src)] = _utf16(dst)
                entries += 1
        else:
            for lo, hi, dst, arr in _RANGE.findall(body):
                if arr:
                    items = [_utf16(x) for x in re.findall(_HEX, arr)]
                    d.ranges.append((_bytes(lo), _bytes(hi), items))
                else:
                    d.ranges.append((_bytes(lo), _bytes(hi), _utf16(dst)))
                entries += 1
        if entries > _MAX_ENTRIES:
            break
    widths = sorted({len(lo) for lo, _ in d.spaces if lo})
    d.widths = tuple(widths) or (default_width,)
    return d


def _bytes(hexd: bytes) -> bytes:
    digits = re.sub(rb"\s", b"", hexd)
    return bytes.fromhex(digits.decode() + ("0" if len(digits) % 2 else ""))


def _utf16(hexd: bytes) -> str:
    return _bytes(hexd).decode("utf-16-be", "replace")


def _unescape(s: bytes) -> bytes:
    out = bytearray()
    i = 0
    esc = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while i < len(s):
        c = s[i]
        if c == 0x5C and i + 1 < len(s):
            nxt = s[i + 1]
            if nxt in esc:
                out += esc[nxt]
                i += 2
            elif 0x30 <= nxt <= 0x37:
                j = i + 1
                while j < len(s) and j < i + 4 and 0x30 <= s[j] <= 0x37:
                    j += 1
                out.append(int(s[i + 1 : j], 8) & 0xFF)
                i = j
            elif nxt in (0x0A, 0x0D):
                i += 2
            else:
                out.append(nxt)
                i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)
