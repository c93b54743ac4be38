"""Third-party test corpora (pyHanko's, DSS's test PDFs) give the recorded verdicts and never crash.

The corpora are not in this repository: fetch the projects, copy their test PDFs into one flat
directory per corpus (``path/with/slashes.pdf`` named ``path__with__slashes.pdf`` as
benchmarks/verify_corpus.py documents) and point ``SOHOA_VERIFY_CORPUS_PYHANKO`` /
``SOHOA_VERIFY_CORPUS_DSS`` at them. pyHanko's verdicts were recorded with its test root
(``testing-ca/root/root.cert.pem``) trusted: name it with ``SOHOA_VERIFY_CORPUS_PYHANKO_TRUST``.
Validation is offline (no network here), as of now: a corpus certificate that expires later
changes its verdict from ``valid`` to ``untrusted``, and the table must then be re-recorded.
"""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import pytest

from benchmarks.verify_corpus import verdict

TABLES = Path(__file__).resolve().parents[1] / "data" / "verify_corpus"


def _rows(name: str) -> list[dict[str, str]]:
    with (TABLES / f"{name}.csv").open() as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["pyhanko", "dss"])
def test_corpus_verdicts(corpus: str) -> None:
    directory = os.environ.get(f"SOHOA_VERIFY_CORPUS_{corpus.upper()}")
    if not directory or not (TABLES / f"{corpus}.csv").exists():
        pytest.skip(f"SOHOA_VERIFY_CORPUS_{corpus.upper()} not set (corpus not fetched)")
    trust_env = os.environ.get(f"SOHOA_VERIFY_CORPUS_{corpus.upper()}_TRUST")
    trust = [Path(trust_env)] if trust_env else []
    wrong = []
    for row in _rows(corpus):
        path = Path(directory) / row["file"]
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != row["sha256"]:
            wrong.append(f"{row['file']}: missing or other bytes")
            continue
        got = verdict(path, trust)  # a crash fails the test with its traceback
        if got != row["verdict"]:
            wrong.append(f"{row['file']}: expected {row['verdict']}, got {got}")
    assert not wrong, "\n".join(wrong)
