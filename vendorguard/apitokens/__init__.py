"""Personal API tokens: each person creates, lists and revokes their own bearer tokens for the REST API."""
