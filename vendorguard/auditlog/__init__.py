"""The audit log pages (blueprint ``audit``): above auth and web, while the ``audit`` package that
records events stays below auth (users are audited, logins are recorded)."""
