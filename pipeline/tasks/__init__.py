"""Distributed intake on Celery: uploads wait in the store, pages fan out to every worker.

``work`` holds the steps as plain functions (prepare a file, OCR a page, assemble a file), so
they can be read and tested without a broker; ``app`` wraps them in Celery tasks with the
reliability settings; ``enqueue`` is what the API calls. Nothing here imports the HTTP or CLI
layers.
"""
