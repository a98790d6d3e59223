"""contractors feature."""
