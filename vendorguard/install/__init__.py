"""A new installation: its first administrator and the reference data nobody can work without."""
