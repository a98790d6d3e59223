"""The government's ISMAP / ISMAP-LIU cloud service lists: import, history and matching."""
