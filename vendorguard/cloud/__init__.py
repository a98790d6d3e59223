"""cloud feature."""
