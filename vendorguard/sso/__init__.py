"""Single sign-on with OpenID Connect: providers, claim → role mapping, the sign-in flow."""
