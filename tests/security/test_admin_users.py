"""``sohoa admin list-users / disable-user / enable-user / reset-password / revoke-tokens / unlock``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from config.settings import load_settings
from pipeline import login_throttle as lt
from pipeline.accounts import create_user, get_user, issue_token, login
from pipeline.cli.main import app
from storage.db.api_models import StaffToken
from storage.db.engine import run_in_transaction
from storage.db.migrate import upgrade_database

PASSWORD = "mat-khau-cu-12345"
NEW_PASSWORD = "mat-khau-moi-67890"
T = TypeVar("T")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path / "data"))
    engine = upgrade_database(load_settings())
    run_in_transaction(
        engine,
        lambda s: create_user(s, "an.nv", PASSWORD, roles=["clerk"], agencies=["000.00.31.H12"], actor="t"),
    )
    engine.dispose()
    return tmp_path


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


def _run(work: Callable[[Session], T]) -> T:
    engine = upgrade_database(load_settings())
    try:
        return run_in_transaction(engine, work)
    finally:
        engine.dispose()


def _tokens() -> int:
    return _run(lambda s: len(s.scalars(select(StaffToken)).all()))


def test_list_disable_enable(data: Path) -> None:
    _run(lambda s: issue_token(s, get_user(s, "an.nv")))
    code, out = _cli("admin", "list-users", "--json")
    assert code == 0, out
    users = json.loads(out)
    assert [(u["username"], u["roles"], u["disabled"], u["tokens"]) for u in users] == [
        ("an.nv", ["clerk"], False, 1)
    ]
    assert "password" not in out
    code, out = _cli("admin", "disable-user", "an.nv")
    assert code == 0, out
    assert _run(lambda s: login(s, "an.nv", PASSWORD)) is None  # disabled: refused
    assert _tokens() == 0  # and its tokens are gone
    assert _cli("admin", "enable-user", "an.nv")[0] == 0
    assert _run(lambda s: login(s, "an.nv", PASSWORD)) is not None


def test_reset_password_revokes_tokens(data: Path) -> None:
    _run(lambda s: issue_token(s, get_user(s, "an.nv")))
    code, out = _cli(
        "admin", "reset-password", "an.nv", "--password-env", "NEWPW", env={"NEWPW": NEW_PASSWORD}
    )
    assert code == 0, out
    assert NEW_PASSWORD not in out
    assert _tokens() == 0
    assert _run(lambda s: login(s, "an.nv", PASSWORD)) is None
    assert _run(lambda s: login(s, "an.nv", NEW_PASSWORD)) is not None


def test_revoke_tokens(data: Path) -> None:
    for _ in range(3):
        _run(lambda s: issue_token(s, get_user(s, "an.nv")))
    code, out = _cli("admin", "revoke-tokens", "an.nv")
    assert code == 0 and "3" in out, out
    assert _tokens() == 0


def test_unlock_and_list_shows_lock(data: Path) -> None:
    for day in range(lt.DEFAULT_POLICY.user_lock_after):  # a day apart: each try after the last back-off
        at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day)
        _run(partial(lt.reserve_attempt, username="an.nv", address="10.0.0.1", now=at))
    users = json.loads(_cli("admin", "list-users", "--json")[1])
    assert users[0]["locked"] is True
    code, out = _cli("admin", "unlock", "an.nv")
    assert code == 0, out
    assert json.loads(_cli("admin", "list-users", "--json")[1])[0]["locked"] is False


def test_unknown_user(data: Path) -> None:
    code, _out = _cli("admin", "disable-user", "nobody")
    assert code != 0
