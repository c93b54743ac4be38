"""Every table of the application, imported so ``Base.metadata`` is complete.

Alembic's autogenerate and the schema check compare against ``metadata``: a table whose module
is not imported here would be silently dropped from the migrations.
"""

from __future__ import annotations

import importlib
import importlib.util

from sqlalchemy import MetaData

from storage.db import models  # noqa: F401  (registers the tables)
from storage.db.base import Base

# Tables owned by other modules (the certification book belongs to signing).
_OPTIONAL_TABLE_MODULES = (
    "storage.db.certification",
    "storage.db.api_models",
    "storage.db.source_signatures",
    "storage.db.security_models",
    "storage.db.dossier_cases",
    "storage.db.webhook_models",
    "storage.db.queue_models",
    "storage.db.document_text",
)

for _module in _OPTIONAL_TABLE_MODULES:
    if importlib.util.find_spec(_module) is not None:
        importlib.import_module(_module)


def metadata() -> MetaData:
    return Base.metadata
