"""The REST API under /api/v1: flask-smorest resources, bearer tokens, JSON errors, rate limits."""
