"""Every code of the shipped catalogue is one PROVENANCE.md records as confirmed against a public
copy of the national catalogue, and no code found wrong comes back."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.dossier.catalogue import default_catalogue

PROVENANCE = Path(__file__).parents[2] / "pipeline" / "dossier" / "data" / "PROVENANCE.md"
ROW = re.compile(r"^\| (\d\.\d{6}) \| ([^|]+) \| (confirmed|corrected|not confirmed) \| (.+) \|$")


def _rows() -> dict[str, list[tuple[str, str, str]]]:
    rows: dict[str, list[tuple[str, str, str]]] = {}
    for line in PROVENANCE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line.strip())
        if match:
            code, name, status, sources = match.groups()
            rows.setdefault(code, []).append((name.strip(), status, sources))
    return rows


def test_every_shipped_code_is_confirmed_with_a_source() -> None:
    rows = _rows()
    for spec in default_catalogue():
        confirmed = [(n, s) for n, status, s in rows.get(spec.code, []) if status == "confirmed"]
        assert confirmed, f"{spec.code} {spec.name}: no confirmed source in PROVENANCE.md"
        name, sources = confirmed[0]
        assert name == spec.name, spec.code
        assert re.search(r"\(\d{6,}|https?://", sources), f"{spec.code}: a source must be named"


def test_corrected_codes_are_not_shipped_under_their_old_names() -> None:
    shipped = {(s.code, s.name) for s in default_catalogue()}
    corrected = {
        (code, name)
        for code, entries in _rows().items()
        for name, status, _ in entries
        if status != "confirmed"
    }
    assert corrected, "PROVENANCE.md lists the corrected codes"
    assert not shipped & corrected
    codes = {code for code, _ in shipped}
    assert {"1.004222", "1.004194", "1.001612", "1.013831"} <= codes
    residence = {s.code: s.name for s in default_catalogue() if s.code in ("1.004222", "1.004194")}
    assert residence == {"1.004222": "Đăng ký thường trú", "1.004194": "Đăng ký tạm trú"}
