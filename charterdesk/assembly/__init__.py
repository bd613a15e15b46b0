"""The package at the top: it puts the others together and nothing imports it.

- ``route.py`` — which packages hear which case events, in what order (the route of a change);
- ``acknowledgement.py`` — the owed acknowledgement [EMAIL-ACK]: from the SLA engine to the outbox;
- ``demo.py`` and the ``demo`` command — a running desk with ALTUM's configuration and demo data;
- the ``calendar`` command — business-time arithmetic and the policy's deadlines side by side.
"""
