"""The e-mail channel's intake: transports -> raw store -> pure parser -> one intake service.

See ``docs/email-intake.md``.
"""
