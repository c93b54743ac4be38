"""From OCR'd pages to typed documents: classification, splitting, field extraction, validation."""
