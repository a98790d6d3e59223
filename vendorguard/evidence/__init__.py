"""Evidence collection: what must be proven, when, by whom; submissions, files and review."""
