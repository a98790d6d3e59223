"""social feature."""
