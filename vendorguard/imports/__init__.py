"""Importing the registers from Excel (.xlsx) and CSV files: templates, mapping, preview, apply."""
