"""HTTP API (FastAPI): see ``pipeline.api.app.create_app``."""
