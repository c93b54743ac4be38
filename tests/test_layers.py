"""The import-layer contract (pyproject's [tool.importlinter]) holds on the current tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_layers_kept() -> None:
    run = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # Every contract ran (an emptied or misnamed table would pass vacuously).
    assert run.stdout.count(" KEPT") == 4, run.stdout
    assert "BROKEN" not in run.stdout
