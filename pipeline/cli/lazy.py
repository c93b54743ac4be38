"""A command group that imports a command's module only when that command runs.

``sohoa --help`` and ``sohoa --version`` must not pay for pyHanko, FastAPI, OpenCV or
SQLAlchemy: the group knows each command's name, module and one-line help from a static table,
lists them from it, and imports a module (calling its ``register(app)``) the first time one of
its commands is resolved.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, ClassVar

import typer
from typer._click import exceptions as click_exc
from typer._click.core import Command, Context

from pipeline.cli.vi import ViGroup, ViTyper


@dataclass(frozen=True)
class LazyCommand:
    """One top-level command: where it is defined and the line ``sohoa --help`` shows."""

    name: str
    module: str
    summary: str


class LazyGroup(ViGroup):
    """The root group; subclasses set :attr:`lazy` to their command table."""

    lazy: ClassVar[tuple[LazyCommand, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: set[str] = set()

    def list_commands(self, ctx: Context) -> list[str]:
        names = [c.name for c in self.lazy]
        return names + [n for n in self.commands if n not in names]

    def _spec(self, name: str) -> LazyCommand | None:
        return next((c for c in self.lazy if c.name == name), None)

    def load_module(self, module: str) -> None:
        """Import ``module`` and add every command its ``register`` defines."""
        if module in self._loaded:
            return
        scratch = ViTyper()
        importlib.import_module(module).register(scratch)
        group = typer.main.get_group(scratch)
        for name, command in group.commands.items():
            self.commands.setdefault(name, command)
        self._loaded.add(module)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands:
            spec = self._spec(cmd_name)
            if spec is not None:
                self.load_module(spec.module)
        return self.commands.get(cmd_name)

    def command_rows(self, ctx: Context, width: int) -> list[tuple[str, str]]:
        """The command list of ``sohoa --help`` from the table, importing nothing."""
        return [(c.name, c.summary) for c in self.lazy]

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        """As Typer's, but "did you mean" draws on the table, not just the imported commands."""
        try:
            return super().resolve_command(ctx, args)
        except click_exc.UsageError as exc:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches and "Did you mean" not in exc.message:
                suggestions = ", ".join(map(repr, matches))
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {suggestions}?"
            raise
