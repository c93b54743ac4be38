"""QR codes on a page, decoded by zxing-cpp (the maintained C++ port of ZXing).

A CCCD's front QR and a 2024 land-use certificate's QR carry the card's or certificate's data
as the issuer wrote it: where one decodes, it is better evidence than OCR of the print. The
page is read as scanned (zxing looks at any angle, inverted, downscaled); where zxing finds a
code it cannot decode (a 12 mm code scanned at 200 dpi, blurred or JPEG-damaged has about two
pixels a module), that region alone is enlarged and read again with each binarizer, which
costs little because only the code's own region is processed. A page with no code costs one
detector pass; a card-sized page where nothing was detected is enlarged whole.
"""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
SMALL_PAGE_PX = 1600  # a card at up to ~450 dpi; whole A4 pages are never enlarged
_BINARIZERS = (zxingcpp.Binarizer.LocalAverage, zxingcpp.Binarizer.GlobalHistogram)


def _grey(pixels: np.ndarray) -> np.ndarray:
    return pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)


def _region(grey: np.ndarray, code: zxingcpp.Barcode) -> np.ndarray:
    """The failed find's bounding box, generously padded (the whole code must be inside)."""
    pos = code.position
    xs = [p.x for p in (pos.top_left, pos.top_right, pos.bottom_left, pos.bottom_right)]
    ys = [p.y for p in (pos.top_left, pos.top_right, pos.bottom_left, pos.bottom_right)]
    h, w = grey.shape
    # a partial find may be one finder pattern or a corner of the code: look well around it
    pad = max(max(xs) - min(xs), max(ys) - min(ys), 80, int(0.06 * max(h, w)))
    return grey[max(0, min(ys) - pad) : min(h, max(ys) + pad), max(0, min(xs) - pad) : min(w, max(xs) + pad)]


def _sharpen(image: np.ndarray) -> np.ndarray:
    """Unsharp mask: gives blurred module edges back some of their step."""
    soft = cv2.GaussianBlur(image, (0, 0), 2.0)
    return cv2.addWeighted(image, 1.8, soft, -0.8, 0)


def _filled(image: np.ndarray) -> np.ndarray:
    """Grey opening: fills the pale specks faint toner leaves inside dark modules."""
    return cv2.morphologyEx(image, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def _levelled(image: np.ndarray) -> np.ndarray:
    """Local contrast (CLAHE): uneven light and washed-out toner brought back to two tones."""
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(image)


def _retry(region: np.ndarray, factors: tuple[float, ...] = (2.0, 3.0), thorough: bool = True) -> list[str]:
    # a code near the paper's edge may have lost its quiet zone in the scan: give it one back
    paper = int(np.percentile(region, 90))
    region = cv2.copyMakeBorder(region, 24, 24, 24, 24, cv2.BORDER_CONSTANT, value=paper)
    sources = [region, _filled(region), _levelled(region)] if thorough else [region]
    for factor in factors:
        for source in sources:
            big = cv2.resize(source, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
            for image in (big, _sharpen(big)):
                pixels = np.ascontiguousarray(image)
                for binarizer in _BINARIZERS:
                    found = zxingcpp.read_barcodes(pixels, formats=_QR, binarizer=binarizer)
                    texts = [b.text for b in found if b.valid and b.text]
                    if texts:
                        return texts
    return []


def decode_qr(pixels: np.ndarray) -> list[str]:
    """The texts of every QR code readable on the page, each once, in the order found."""
    grey = np.ascontiguousarray(_grey(pixels))
    found = zxingcpp.read_barcodes(grey, formats=_QR, return_errors=True)
    texts: list[str] = []
    for code in found:
        if code.valid and code.text:
            texts.append(code.text)
        else:
            region = _region(grey, code)
            if region.size:
                texts.extend(_retry(region))
    if not found and max(grey.shape) <= SMALL_PAGE_PX:
        # a card scanned on its own at low resolution: too small for the detector to see a code
        texts.extend(_retry(grey, factors=(2.0,), thorough=False))  # the whole page costs: one try
    return list(dict.fromkeys(texts))
