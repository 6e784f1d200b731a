"""Who is calling and how they sign in: accounts, credentials, OIDC, origin checks, rate limits, sign-in."""
