"""Every kind of bad input is refused with its own error, reason code and a message naming the file."""

from __future__ import annotations

import datetime
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from config.errors import ExitCode
from config.settings import OcrSettings
from ocr import errors
from ocr.source import is_signed_pdf, open_scan


def _pdf_of_image(path: Path, pages: int = 1) -> Path:
    img = Image.fromarray(np.full((350, 250), 255, np.uint8))
    raw = io.BytesIO()
    img.save(raw, format="PDF", save_all=True, append_images=[img] * (pages - 1), resolution=30)
    with pikepdf.open(raw) as pdf:  # re-saved: Pillow's xref table upsets strict readers
        pdf.save(path)
    return path


def _expect(path: Path, settings: OcrSettings, error: type[errors.InputFileError], reason: str) -> None:
    with pytest.raises(error) as info:
        open_scan(path, settings)
    exc = info.value
    assert exc.reason == reason
    assert exc.exit_code == ExitCode.INPUT_FILE
    assert path.name in str(exc)
    assert "\n" not in str(exc)


def test_empty_file(tmp_path: Path, settings: OcrSettings) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"")
    _expect(path, settings, errors.EmptyFileError, "empty")


def test_file_over_max_size(tmp_path: Path) -> None:
    path = _pdf_of_image(tmp_path / "big.pdf")
    tiny = OcrSettings(max_file_mb=path.stat().st_size / 1024 / 1024 / 2)
    _expect(path, tiny, errors.FileTooLargeError, "too_large")


def test_truncated_pdf(tmp_path: Path, settings: OcrSettings) -> None:
    whole = _pdf_of_image(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    _expect(path, settings, errors.CorruptPdfError, "corrupt_pdf")


def test_garbage_pdf(tmp_path: Path, settings: OcrSettings) -> None:
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    _expect(path, settings, errors.CorruptPdfError, "corrupt_pdf")


def test_password_protected_pdf(tmp_path: Path, settings: OcrSettings) -> None:
    src = _pdf_of_image(tmp_path / "plain.pdf")
    path = tmp_path / "locked.pdf"
    with pikepdf.open(src) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    _expect(path, settings, errors.EncryptedPdfError, "encrypted")


def test_zero_page_pdf(tmp_path: Path, settings: OcrSettings) -> None:
    path = tmp_path / "empty-doc.pdf"
    with pikepdf.new() as pdf:
        pdf.save(path)
    _expect(path, settings, errors.NoPagesError, "no_pages")


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Throwaway test signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def test_signed_pdf_is_taken_in_as_it_is(tmp_path: Path, settings: OcrSettings) -> None:
    """A signed PDF opens (it is read and rendered, never rewritten) and says it is signed."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key_path, cert_path = _self_signed(tmp_path)
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
    assert signer is not None
    src = _pdf_of_image(tmp_path / "unsigned.pdf")
    path = tmp_path / "signed.pdf"
    with src.open("rb") as inf:
        writer = IncrementalPdfFileWriter(inf)
        out = io.BytesIO()
        signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Sig1"), signer=signer, output=out)
    path.write_bytes(out.getvalue())
    before = path.read_bytes()
    source = open_scan(path, settings)
    try:
        assert source.page_count == 1
        assert getattr(source, "signed", None) is True
        assert source.load_page(0).pixels.size > 0
    finally:
        source.close()
    assert path.read_bytes() == before  # opening and rendering rewrote nothing
    assert is_signed_pdf(path) and not is_signed_pdf(src)


def _png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR claiming a huge image, followed by a tiny IDAT."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_image_bomb_checked_before_decoding(tmp_path: Path, settings: OcrSettings) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(60_000, 60_000))  # 3600 MP claimed, ~100 bytes on disk
    _expect(path, settings, errors.ImageBombError, "image_bomb")


def test_pdf_image_bomb(tmp_path: Path) -> None:
    path = _pdf_of_image(tmp_path / "scan.pdf")  # 250x350 image
    strict = OcrSettings(max_megapixels=0.05)
    _expect(path, strict, errors.ImageBombError, "image_bomb")


def test_content_does_not_match_extension(tmp_path: Path, settings: OcrSettings) -> None:
    path = tmp_path / "scan.pdf"
    Image.new("L", (200, 200), 255).save(path, format="PNG")
    _expect(path, settings, errors.TypeMismatchError, "type_mismatch")


def test_text_file_named_jpg(tmp_path: Path, settings: OcrSettings) -> None:
    path = tmp_path / "photo.jpg"
    path.write_text("not an image at all", encoding="utf-8")
    _expect(path, settings, errors.TypeMismatchError, "type_mismatch")


def test_unsupported_content(tmp_path: Path, settings: OcrSettings) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    _expect(path, settings, errors.UnsupportedFileError, "unsupported")


def test_unreadable_tiff_frame(tmp_path: Path, settings: OcrSettings) -> None:
    frame = Image.fromarray((np.random.default_rng(0).random((400, 300)) * 255).astype(np.uint8))
    buf = io.BytesIO()
    frame.save(buf, format="TIFF", save_all=True, append_images=[frame, frame], dpi=(300, 300))
    data = buf.getvalue()
    path = tmp_path / "scan.tif"
    path.write_bytes(data[: len(data) - 50_000])  # cut inside the last frame's pixels
    _expect(path, settings, errors.BadTiffFrameError, "bad_tiff_frame")


def test_good_multipage_tiff_opens(tmp_path: Path, settings: OcrSettings) -> None:
    frame = Image.new("L", (300, 400), 255)
    path = tmp_path / "scan.tiff"
    frame.save(path, save_all=True, append_images=[frame, frame], dpi=(300, 300))
    source = open_scan(path, settings)
    assert source.page_count == 3
    page = source.load_page(2)
    assert page.pixels.shape == (400, 300)
    assert page.dpi == pytest.approx(300)


def test_tiff_with_damaged_frame_directory(tmp_path: Path, settings: OcrSettings) -> None:
    """Pillow only warns about a broken frame directory and drops the frame: that must not pass."""
    frame = Image.fromarray((np.random.default_rng(0).random((400, 300)) * 255).astype(np.uint8))
    buf = io.BytesIO()
    frame.save(buf, format="TIFF", save_all=True, append_images=[frame, frame], dpi=(300, 300))
    data = bytearray(buf.getvalue())
    first_ifd = struct.unpack("<I", data[4:8])[0]
    entries = struct.unpack("<H", data[first_ifd : first_ifd + 2])[0]
    second_ifd = struct.unpack("<I", data[first_ifd + 2 + 12 * entries : first_ifd + 6 + 12 * entries])[0]
    data[second_ifd : second_ifd + 2] = b"\xff\xff"  # absurd entry count
    path = tmp_path / "scan.tif"
    path.write_bytes(bytes(data))
    _expect(path, settings, errors.BadTiffFrameError, "bad_tiff_frame")
