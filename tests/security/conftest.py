from tests.db.fixtures import db, pg_database  # noqa: F401
