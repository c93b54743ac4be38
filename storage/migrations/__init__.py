"""Alembic migrations of the dossier database (run by ``storage.db.migrate``)."""
