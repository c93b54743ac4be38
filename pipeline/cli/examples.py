"""Examples shown at the end of every ``sohoa … --help``, keyed by command path.

Kept in one table rather than in each command's ``epilog`` so that every command has them (a
test walks the whole command tree) and the command modules stay about what they do.
"""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "": (
        "sohoa ocr ho-so.pdf -o ho-so.ocr.pdf      # PDF/A tìm kiếm được (searchable PDF/A)",
        "sohoa ingest /srv/scan/hom-nay --procedure 1.001193",
        "sohoa verify ket-qua.pdf",
        "sohoa --version",
    ),
    "ocr": (
        "sohoa ocr ho-so.pdf                        # bảng tài liệu và trường (documents, fields)",
        "sohoa ocr ho-so.pdf -o ho-so.ocr.pdf       # ghi PDF/A-2b có lớp chữ (text layer)",
        "sohoa ocr ho-so.tif -o out.pdf --sidecar out.txt -q",
        "sohoa ocr ho-so.pdf --json > ket-qua.json",
    ),
    "ingest": (
        "sohoa ingest scan-001.pdf --procedure 1.001193",
        "sohoa ingest /srv/scan/hom-nay --dossier HS-2026-000123 --json",
    ),
    "watch": (
        "sohoa watch /srv/scan/may-quet-1",
        "sohoa watch /srv/scan/may-quet-1 --once --settle 3",
    ),
    "lookup": (
        "sohoa lookup --owner 001086012345",
        "sohoa lookup --owner 001086012345 --procedure 1.001193 --json",
    ),
    "reuse": ("sohoa reuse --dossier HS-2026-000123 --document 42 --actor nguyenvana",),
    "correct": ("sohoa correct --document 42 --field id_number --value 001086012345 --actor nguyenvana",),
    "export": (
        "sohoa export --document 42 -o ban-sao.pdf",
        "sohoa export --document 42 --kind signed -o da-ky.pdf",
    ),
    "sign": (
        "sohoa sign ket-qua.pdf -o da-ky.pdf --pkcs11-module /usr/lib/vnpt-ca/libvnpt.so --token-label CB01",
        "sohoa sign *.pdf --out-dir da-ky/ --pkcs12 can-bo.p12 --pin-env PIN",
    ),
    "certify": (
        "sohoa certify ban-quet.pdf -o ban-sao.pdf --book 01/2026-SCT/BS --requester 'Nguyễn Văn A' "
        "--pkcs12 can-bo.p12 --seal-pkcs12 con-dau.p12",
    ),
    "verify": (
        "sohoa verify da-ky.pdf",
        "sohoa verify da-ky.pdf --offline --crl ca.crl --json",
    ),
    "report": (
        "sohoa report --from 2026-01-01 --to 2026-03-31",
        "sohoa report --agency 000.00.00.H41 --json",
    ),
    "serve": ("sohoa serve --host 127.0.0.1 --port 8080",),
    "worker": ("sohoa worker --log-level info",),
    "db": ("sohoa db upgrade    # một lần sau mỗi lần nâng cấp (once after every upgrade)",),
    "db upgrade": ("sohoa db upgrade",),
    "admin": (
        "sohoa admin add-user nguyenvana --role clerk --agency 000.00.00.H41",
        "sohoa admin add-key he-thong-mot-cua --scope results:read --agency '*'",
    ),
    "admin add-key": (
        "sohoa admin add-key he-thong-mot-cua --scope results:read --scope lookup --agency '*'",
    ),
    "admin revoke-key": ("sohoa admin revoke-key he-thong-mot-cua",),
    "admin add-user": ("sohoa admin add-user nguyenvana --role official --agency 000.00.00.H41",),
    "admin issue-token": ("sohoa admin issue-token nguyenvana --hours 8",),
    "sign-client": (
        "sohoa sign-client --server https://sohoa.xa-tan-phu.vn --token-env SOHOA_TOKEN "
        "--pkcs11-module /usr/lib/vnpt-ca/libvnpt.so",
    ),
    "test-pki": ("sohoa test-pki /tmp/pki-thu    # CHỈ DÙNG THỬ NGHIỆM (test only)",),
}


def examples_for(key: str) -> tuple[str, ...]:
    """The example lines of one command path (``""`` for ``sohoa`` itself)."""
    return EXAMPLES.get(key, ())
