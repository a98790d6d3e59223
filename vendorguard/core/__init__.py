"""Pieces every feature package shares: column types, errors, time, pagination, permissions."""
