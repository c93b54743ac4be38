"""Examples shown at the end of every ``sohoa … --help``, keyed by command path.

Kept in one table rather than in each command's ``epilog`` so that every command has them (a
test walks the whole command tree) and the command modules stay about what they do.
"""

from __future__ import annotations

_C = "000.00.31.H12-261202-0001"  # a dossier code as sohoa issues them

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
    "db reindex-text": ("sohoa db reindex-text    # một lần sau khi nâng cấp lên bản 0830",),
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
    "admin add-webhook": (
        "sohoa admin add-webhook https://motcua.tinh.gov.vn/su-kien --events job.finished,result.signed "
        "--secret-env SOHOA_WEBHOOK_SECRET_MOTCUA",
    ),
    "admin list-webhooks": ("sohoa admin list-webhooks",),
    "admin remove-webhook": ("sohoa admin remove-webhook 1",),
    "admin list-users": ("sohoa admin list-users", "sohoa admin list-users --json"),
    "admin disable-user": ("sohoa admin disable-user nguyenvana",),
    "admin enable-user": ("sohoa admin enable-user nguyenvana",),
    "admin reset-password": ("sohoa admin reset-password nguyenvana",),
    "admin revoke-tokens": ("sohoa admin revoke-tokens nguyenvana",),
    "admin unlock": ("sohoa admin unlock nguyenvana",),
    "access-log": ("sohoa access-log --owner 001090001234", "sohoa access-log --owner 001090001234 --json"),
    "procedures": ("sohoa procedures import thu-tuc.json", "sohoa procedures list"),
    "procedures import": ("sohoa procedures import thu-tuc.csv", "sohoa procedures import thu-tuc.json"),
    "procedures list": ("sohoa procedures list", "sohoa procedures list --json"),
    "dossier": (
        "sohoa dossier receive --procedure 1.001193 --applicant 001090001234 --name 'Nguyễn Văn A'",
        f"sohoa dossier show {_C}",
    ),
    "dossier receive": (
        "sohoa dossier receive --procedure 1.001193 --applicant 001090001234 --reuse-all --slip hen.pdf",
        "sohoa dossier receive --procedure 1.000894 --applicant 001090001234 --reuse cccd --json",
    ),
    "dossier reuse": (f"sohoa dossier reuse {_C} --component cccd",),
    "dossier scan": (f"sohoa dossier scan {_C} don.pdf --component application_form",),
    "dossier queue": (f"sohoa dossier queue {_C} --official nguyenvana",),
    "dossier sign": (
        f"sohoa dossier sign {_C} --pkcs11-module /usr/lib/libvgca.so --token-label VGCA --key-label ky",
    ),
    "dossier process": (f"sohoa dossier process {_C}",),
    "dossier request-supplement": (
        f"sohoa dossier request-supplement {_C} --reason 'Thiếu giấy xác nhận cư trú'",
    ),
    "dossier supplement-received": (f"sohoa dossier supplement-received {_C}",),
    "dossier reject": (f"sohoa dossier reject {_C} --reason 'Không thuộc thẩm quyền giải quyết'",),
    "dossier withdraw": (f"sohoa dossier withdraw {_C} --reason 'Công dân rút hồ sơ'",),
    "dossier issue": (
        f"sohoa dossier issue {_C} --file ket-qua.pdf",
        f"sohoa dossier issue {_C} --content 'Xác nhận ...'",
    ),
    "dossier return": (f"sohoa dossier return {_C}",),
    "dossier show": (f"sohoa dossier show {_C}", f"sohoa dossier show {_C} --slip hen.pdf"),
    "dossier overdue": ("sohoa dossier overdue", "sohoa dossier overdue --agency 000.00.31.H12"),
    "certification": ("sohoa certification paper --document 'Giấy khai sinh' --requester 'Nguyễn Văn A'",),
    "certification paper": (
        "sohoa certification paper --document 'Giấy khai sinh' --requester 'Nguyễn Văn A' --copies 2",
    ),
    "archive": ("sohoa archive renew ket-qua.pdf --out-dir gia-han/",),
    "archive renew": ("sohoa archive renew ket-qua.pdf --out-dir gia-han/",),
    "sign-client": (
        "sohoa sign-client --server https://sohoa.xa-tan-phu.vn --token-env SOHOA_TOKEN "
        "--pkcs11-module /usr/lib/vnpt-ca/libvnpt.so",
        "sohoa sign-client --serve --server https://sohoa.xa-tan-phu.vn "
        "--pkcs11-module /usr/lib/vnpt-ca/libvnpt.so --token-label VNPT-CA --key-label ky"
        "    # ký từ trang web",
    ),
    "test-pki": ("sohoa test-pki /tmp/pki-thu    # CHỈ DÙNG THỬ NGHIỆM (test only)",),
}


def examples_for(key: str) -> tuple[str, ...]:
    """The example lines of one command path (``""`` for ``sohoa`` itself)."""
    return EXAMPLES.get(key, ())
