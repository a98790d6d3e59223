"""Sign-in, sign-out, throttling of failed sign-ins, roles and permissions."""
