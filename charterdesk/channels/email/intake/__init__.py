"""E-mail intake: store raw first (:mod:`.store`), then process in batches (:mod:`.process`), one
message at a time through the rules of :mod:`.rules`; held messages in :mod:`.quarantine`."""
