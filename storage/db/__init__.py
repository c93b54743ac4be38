"""The dossier database: SQLAlchemy 2 models, engine set-up and Alembic migrations."""
