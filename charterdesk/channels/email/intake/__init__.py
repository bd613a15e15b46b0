"""E-mail intake: store raw first (:mod:`.store`), then process in batches (:mod:`.process`), one
message at a time through the rules of :mod:`.deliver`; held messages in :mod:`.quarantine`."""
