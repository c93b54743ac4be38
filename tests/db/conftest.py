from tests.db.fixtures import db, empty_db, pg_database  # noqa: F401
