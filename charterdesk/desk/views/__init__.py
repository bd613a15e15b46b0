"""The employee desk: sign-in, the inbox, the case page and its actions."""
