"""Sign-in: lock-out after failed attempts, the idle time-out, the TOTP second factor, single sign-on
through OpenID Connect, and the security headers of every response (docs/signin.md)."""
