"""Vietnamese trust anchors shipped with sohoa (PEM files and manifest.json); see signing.trust."""
