"""Typed settings and the base error every sohoa failure derives from."""

from config.errors import ExitCode, SohoaError
from config.settings import Settings, load_settings

__all__ = ["ExitCode", "Settings", "SohoaError", "load_settings"]
