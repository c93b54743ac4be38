"""Vietnamese help and usage errors for the ``sohoa`` command line.

Typer (0.29) vendors its own Click and prints "Usage:", "Options", "Show this message and exit."
and "Missing option" from hard-coded strings, with no gettext catalogue to hook into. This module
subclasses Typer's command and group classes through their public hooks (``format_help``,
``collect_usage_pieces``, ``get_help_option``) and renders usage errors from the exception's
fields (parameter, option name, suggestions), so commune staff read one language. Every help
page also shows its examples from :mod:`pipeline.cli.examples`. The help is plain text: no rich
import, which keeps ``sohoa CMD --help`` fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Any

import typer
from typer._click import exceptions as click_exc
from typer._click.core import Context, Parameter
from typer._click.formatting import HelpFormatter, join_options
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from pipeline.cli.examples import examples_for

USAGE_PREFIX = "Cách dùng (usage): "
OPTIONS_METAVAR = "[TÙY_CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [ĐỐI_SỐ]..."
HELP_TEXT = "Hiện trợ giúp này rồi thoát (show this help and exit)."
SECTION_ARGUMENTS = "Đối số (arguments)"
SECTION_OPTIONS = "Tùy chọn (options)"
SECTION_COMMANDS = "Lệnh (commands)"
SECTION_EXAMPLES = "Ví dụ (examples)"
REQUIRED = "bắt buộc"
DEFAULT = "mặc định"
RANGE = "khoảng"
ENV_VAR = "biến môi trường"

# Typer's type labels (``<str>``, ``<int range>``, ``<path>``) → the placeholder staff read.
_METAVARS = {
    "str": "VĂN_BẢN",
    "int": "SỐ",
    "int range": "SỐ",
    "float": "SỐ",
    "float range": "SỐ",
    "path": "ĐƯỜNG_DẪN",
    "Path": "ĐƯỜNG_DẪN",
    "file": "TỆP",
    "directory": "THƯ_MỤC",
    "datetime": "NGÀY",
    "date": "NGÀY",
    "UUID": "MÃ",
}


def metavar(param: Parameter, ctx: Context) -> str:
    """The placeholder after an option or for an argument: Vietnamese, never ``<bool>``."""
    explicit = getattr(param, "metavar", None)
    if explicit is not None:
        return str(explicit)
    if isinstance(param, TyperArgument):
        return (param.name or "ARG").upper()
    if isinstance(param, TyperOption) and (param.is_flag or param.count):
        return ""
    label = param.display_type(ctx).strip("<>") if isinstance(param, TyperOption) else ""
    inner = re.fullmatch(r"list\[(.+)\]", label)
    if inner:
        label = inner.group(1)
    if label in _METAVARS:
        return _METAVARS[label]
    if "|" in label:  # a choice: show its values
        return "[" + label + "]"
    return label.upper() or "GIÁ_TRỊ"


def _default_text(param: Parameter) -> str | None:
    show = getattr(param, "show_default", None)
    if isinstance(show, str):
        return show
    if not show:
        return None
    value = param.default
    if value is None or callable(value) or value is False or value == "" or value == ():
        return None
    if isinstance(param, TyperOption) and param.is_flag:
        return None
    if isinstance(value, list | tuple):
        parts = [str(v.value if isinstance(v, Enum) else v) for v in value]
        return ", ".join(parts) or None
    return str(value.value if isinstance(value, Enum) else value)


def _range_text(param: Parameter) -> str | None:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if isinstance(param, TyperOption) and param.count:
        return None
    if low is None and high is None:
        return None
    if high is None:
        return f"≥ {low}"
    if low is None:
        return f"≤ {high}"
    return f"{low}–{high}"


def help_record(param: Parameter, ctx: Context) -> tuple[str, str] | None:
    """One line of an options or arguments table, in Vietnamese."""
    if getattr(param, "hidden", False):
        return None
    if isinstance(param, TyperArgument):
        left = metavar(param, ctx)
    else:
        def _opts(opts: Sequence[str]) -> str:
            text, _slash = join_options(opts)
            mv = metavar(param, ctx)
            return f"{text} {mv}" if mv else text

        left = _opts(param.opts)
        if param.secondary_opts:
            left += " / " + _opts(param.secondary_opts)
    extra: list[str] = []
    envvar = getattr(param, "envvar", None)
    if getattr(param, "show_envvar", False) and envvar:
        extra.append(f"{ENV_VAR}: {envvar if isinstance(envvar, str) else ', '.join(envvar)}")
    default = _default_text(param)
    if default:
        extra.append(f"{DEFAULT}: {default}")
    span = _range_text(param)
    if span:
        extra.append(f"{RANGE}: {span}")
    if param.required:
        extra.append(REQUIRED)
    text = str(getattr(param, "help", None) or "")
    if extra:
        text = f"{text}  [{'; '.join(extra)}]" if text else f"[{'; '.join(extra)}]"
    return left, text


def _usage_pieces(command: typer._click.Command, ctx: Context) -> list[str]:
    pieces = [command.options_metavar] if command.options_metavar else []
    for param in command.get_params(ctx):
        if isinstance(param, TyperArgument):
            name = metavar(param, ctx)
            if param.nargs != 1:
                name += "..."
            pieces.append(name if param.required else f"[{name}]")
    return pieces


def _write_params(command: typer._click.Command, ctx: Context, formatter: HelpFormatter) -> None:
    args: list[tuple[str, str]] = []
    opts: list[tuple[str, str]] = []
    for param in command.get_params(ctx):
        record = help_record(param, ctx)
        if record is not None:
            (args if isinstance(param, TyperArgument) else opts).append(record)
    for title, rows in ((SECTION_ARGUMENTS, args), (SECTION_OPTIONS, opts)):
        if rows:
            with formatter.section(title):
                formatter.write_dl(rows)


def _write_examples(ctx: Context, formatter: HelpFormatter) -> None:
    lines = examples_for(command_key(ctx))
    if lines:
        with formatter.section(SECTION_EXAMPLES):
            for line in lines:  # verbatim: a wrapped command line cannot be copied
                formatter.write(f"{'':>{formatter.current_indent}}{line}\n")


def command_key(ctx: Context) -> str:
    """``"admin add-key"`` for ``sohoa admin add-key``: the key of the examples table."""
    return " ".join(ctx.command_path.split()[1:])


def _write_help(
    command: typer._click.Command,
    ctx: Context,
    formatter: HelpFormatter,
    write_commands: Callable[[HelpFormatter], None] | None = None,
) -> None:
    command.format_usage(ctx, formatter)
    if command.help:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(command.help)
    _write_params(command, ctx, formatter)
    if write_commands is not None:
        write_commands(formatter)
    if command.epilog:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(command.epilog)
    _write_examples(ctx, formatter)


def _format_usage(command: typer._click.Command, ctx: Context, formatter: HelpFormatter) -> None:
    formatter.write_usage(ctx.command_path, " ".join(command.collect_usage_pieces(ctx)), USAGE_PREFIX)


def _vi_help_option(command: typer._click.Command, option: Parameter | None) -> Parameter | None:
    if option is not None:
        option.help = HELP_TEXT  # type: ignore[attr-defined]
    return option


class ViCommand(TyperCommand):
    """A Typer command whose help, usage line and help option read in Vietnamese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.options_metavar in (None, "[OPTIONS]"):
            self.options_metavar = OPTIONS_METAVAR

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return _usage_pieces(self, ctx)

    def get_help_option(self, ctx: Context) -> Any:
        return _vi_help_option(self, super().get_help_option(ctx))

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        _format_usage(self, ctx, formatter)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        _write_help(self, ctx, formatter)


class ViGroup(TyperGroup):
    """A Typer group with Vietnamese help; its commands are listed with their one-line help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.options_metavar in (None, "[OPTIONS]"):
            self.options_metavar = OPTIONS_METAVAR
        if self.subcommand_metavar == "COMMAND [ARGS]...":
            self.subcommand_metavar = SUBCOMMAND_METAVAR

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return [*_usage_pieces(self, ctx), self.subcommand_metavar]

    def get_help_option(self, ctx: Context) -> Any:
        return _vi_help_option(self, super().get_help_option(ctx))

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        _format_usage(self, ctx, formatter)

    def command_rows(self, ctx: Context, width: int) -> list[tuple[str, str]]:
        """(name, one-line help) of each visible command."""
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(width)))
        return rows

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        def commands(fmt: HelpFormatter) -> None:
            rows = self.command_rows(ctx, 200)
            if rows:
                with fmt.section(SECTION_COMMANDS):
                    fmt.write_dl(rows)

        _write_help(self, ctx, formatter, commands)


class ViTyper(typer.Typer):
    """``typer.Typer`` whose commands and groups are :class:`ViCommand` / :class:`ViGroup`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("cls", ViGroup)
        kwargs.setdefault("rich_markup_mode", None)
        kwargs.setdefault("pretty_exceptions_enable", False)
        kwargs.setdefault("add_completion", False)
        super().__init__(*args, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", ViCommand)
        return super().command(*args, **kwargs)


# --- usage errors -------------------------------------------------------------------------

_KIND = {"option": "tùy chọn", "argument": "đối số", "parameter": "tham số"}

# Messages produced as free text by the vendored Click parser and by pydantic coercion.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Option '(.+)' requires an argument\."), "tùy chọn '{0}' cần một giá trị (needs a value)"),
    (re.compile(r"Option '(.+)' requires (\d+) arguments\."), "tùy chọn '{0}' cần {1} giá trị"),
    (re.compile(r"Option '(.+)' does not take a value\."),
     "tùy chọn '{0}' không nhận giá trị (takes no value)"),
    (re.compile(r"Got unexpected extra arguments? \((.*)\)"), "thừa đối số (unexpected extra argument): {0}"),
    (re.compile(r"No such command '(.+?)'\.(?: Did you mean (.+)\?)?"),
     "không có lệnh '{0}' (no such command){1}"),
    (re.compile(r"Missing command\."), "thiếu lệnh (missing command)"),
    (re.compile(r"Input should be a valid integer.*"), "phải là số nguyên (must be an integer)"),
    (re.compile(r"Input should be a valid number.*"), "phải là số (must be a number)"),
    (re.compile(r"Input should be greater than or equal to (\S+)"), "phải ≥ {0} (must be at least {0})"),
    (re.compile(r"Input should be less than or equal to (\S+)"), "phải ≤ {0} (must be at most {0})"),
    (re.compile(r"Input should be greater than (\S+)"), "phải > {0}"),
    (re.compile(r"Input should be less than (\S+)"), "phải < {0}"),
    (re.compile(r"Input should be a valid date.*"), "phải là ngày hợp lệ (must be a valid date)"),
    (re.compile(r"'(.*)' is not one of (.+)\."), "'{0}' không thuộc {1} (not one of the choices)"),
    (re.compile(r"(?:File|Directory|Path) '(.+)' does not exist\."), "'{0}' không tồn tại (does not exist)"),
    (re.compile(r"(?:File|Directory|Path) '(.+)' is a directory\."), "'{0}' là thư mục (is a directory)"),
    (re.compile(r"(?:File|Directory|Path) '(.+)' is a file\."), "'{0}' là tệp (is a file)"),
)


def translate(text: str) -> str:
    """A free-text Click/pydantic message in Vietnamese; unknown ones are kept as they are."""
    for pattern, template in _PATTERNS:
        match = pattern.fullmatch(text.strip())
        if match:
            groups = [g or "" for g in match.groups()]
            if template.endswith("{1}") and "No such command" in pattern.pattern:
                groups[1] = f"; có phải ý bạn là (did you mean) {groups[1]}?" if groups[1] else ""
            return template.format(*groups)
    return text


def _hint(exc: click_exc.BadParameter) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)
    if exc.param is not None:
        return exc.param.get_error_hint()
    return ""


def error_message(exc: click_exc.ClickException) -> str:
    """The one-line Vietnamese description of a usage error (no usage line)."""
    if isinstance(exc, click_exc.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        return f"thiếu {_KIND.get(kind, kind)} {_hint(exc)} (missing {kind})".replace("  ", " ")
    if isinstance(exc, click_exc.NoSuchOption):
        text = f"không có tùy chọn {exc.option_name} (no such option)"
        if exc.possibilities:
            text += "; có phải ý bạn là (did you mean) " + ", ".join(sorted(exc.possibilities)) + "?"
        return text
    if isinstance(exc, click_exc.BadParameter):
        return f"giá trị không hợp lệ cho {_hint(exc)} (invalid value): {translate(exc.message)}"
    return translate(exc.format_message())


def render_usage_error(exc: click_exc.UsageError) -> str:
    """Usage line, where to find help, and the error: what ``sohoa`` prints on stderr."""
    lines: list[str] = []
    ctx = exc.ctx
    if ctx is not None:
        lines.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(f"Xem '{ctx.command_path} {ctx.help_option_names[0]}' để được trợ giúp (for help).")
    lines.append(f"sohoa: lỗi (error): {error_message(exc)}")
    return "\n".join(lines)


def walk(command: typer._click.Command, ctx: Context, path: Iterable[str] = ()) -> Iterable[tuple[str, Any]]:
    """Every (command path, command) below ``command``, for tests and the examples check."""
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None:
                continue
            key = " ".join([*path, name])
            yield key, sub
            yield from walk(sub, ctx, [*path, name])
