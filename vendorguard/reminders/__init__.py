"""Reminders: a sweep finds what is due, an outbox keeps each occurrence once, channels deliver it."""
