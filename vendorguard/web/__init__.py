"""Application-wide web concerns: locale, security headers, error pages, template helpers."""
