"""Object storage (MinIO or a directory) and the dossier database."""
