"""Self-check questionnaires (自己点検): templates, sending, answering, review."""
