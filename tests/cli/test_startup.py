"""Start-up: the command line imports a command's heavy modules only when that command runs."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pyhanko", "fastapi", "cv2", "sqlalchemy", "alembic", "numpy", "pikepdf", "minio", "uvicorn")


def _imported_after(code: str) -> set[str]:
    """Run ``code`` in a fresh interpreter; the heavy top-level modules it left in sys.modules."""
    probe = (
        "import sys\n"
        f"{code}\n"
        f"print('HEAVY:' + ' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    marker = [line for line in res.stdout.splitlines() if line.startswith("HEAVY:")]
    assert len(marker) == 1, res.stdout
    return set(marker[0].removeprefix("HEAVY:").split())


def test_importing_the_entry_point_loads_no_heavy_module() -> None:
    assert _imported_after("import pipeline.cli.main") == set()


def test_root_help_and_version_load_no_heavy_module() -> None:
    run_main = (
        "from pipeline.cli.main import main\n"
        "for argv in (['--help'], ['--version']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit as e:\n"
        "        assert e.code in (0, None), e.code\n"
    )
    assert _imported_after(run_main) == set()


@pytest.mark.parametrize("command", ["verify", "sign", "certify", "export", "ocr"])
def test_command_help_loads_no_signing_or_database_stack(command: str) -> None:
    run_main = (
        "from pipeline.cli.main import main\n"
        "try:\n"
        f"    main([{command!r}, '--help'])\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
    )
    loaded = _imported_after(run_main)
    assert loaded.isdisjoint({"pyhanko", "sqlalchemy", "cv2", "fastapi"}), loaded


def test_version_comes_from_the_distribution() -> None:
    res = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "--version"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"sohoa {version('sohoa')}"


def test_the_lazy_table_names_exactly_the_registered_commands() -> None:
    """A command registered by a module but missing from the table would be unreachable."""
    import typer

    from pipeline.cli.main import COMMANDS, SohoaGroup, app
    from pipeline.cli.vi import ViTyper

    group = typer.main.get_command(app)
    assert isinstance(group, SohoaGroup)
    registered: set[str] = set()
    for module in {c.module for c in COMMANDS}:
        scratch = ViTyper()
        __import__(module, fromlist=["register"]).register(scratch)
        registered |= set(typer.main.get_group(scratch).commands)
    assert registered == {c.name for c in COMMANDS}
    for spec in COMMANDS:  # and each name resolves through its own module
        ctx = group.make_context("sohoa", [spec.name], resilient_parsing=True)
        assert group.get_command(ctx, spec.name) is not None, spec.name


def test_export_kinds_match_the_model() -> None:
    from pipeline.cli.export_cmd import KINDS
    from storage.db.models import VersionKind

    # A staged result (the official's signature before the seal) is no copy to hand out: the
    # seal files the one signed version, which export gives.
    assert set(KINDS) == {k.value for k in VersionKind} - {VersionKind.STAGED.value}
