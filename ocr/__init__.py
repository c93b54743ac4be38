"""Reading scans, cleaning page images and OCR with Tesseract (Vietnamese)."""
