"""Second factor: TOTP with recovery codes, the second sign-in step, enforcement by role,
re-authentication before sensitive actions, and the administrator's reset."""
