"""PAdES signing (PKCS#11 tokens, PKCS#12 key files), certified e-copies and verification."""
