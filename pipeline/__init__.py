"""Orchestration: scans to documents with fields, into the store, to signatures, to the API."""
