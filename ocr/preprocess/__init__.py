"""Page cleaning steps, one module each; ``clean.clean_page`` runs them in order."""
