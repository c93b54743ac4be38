"""Typed settings and the base error every sohoa failure derives from.

``config.settings`` (pydantic-settings) is imported on first use only, so ``from config.errors
import SohoaError`` stays cheap for the command line's start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from config.errors import ExitCode, SohoaError

if TYPE_CHECKING:
    from config.settings import Settings, load_settings

__all__ = ["ExitCode", "Settings", "SohoaError", "load_settings"]


def __getattr__(name: str) -> Any:
    if name in ("Settings", "load_settings"):
        from config import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'config' has no attribute {name!r}")
