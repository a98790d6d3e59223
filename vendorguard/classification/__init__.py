"""classification feature."""
