"""The crash test's steps that run in their own processes, against a scratch database.

    python -m tests.outbox.crash_scenario setup        → {"outbox_id": …, "message_id": …}
    python -m tests.outbox.crash_scenario state ID     → {"state": …, "attempts": …, …}

(Not a test module: ``test_crash.py`` runs it with ``DATABASE_URL`` pointing at the scratch
database.)
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from charterdesk.cases.services import case_open, case_reply
    from charterdesk.outbox.models import OutboxMessage
    from tests.factories import make_client, make_employee, make_institution

    if argv[0] == "setup":
        make_institution()
        anna = make_employee("Anna", "Bērziņa")
        client = make_client("Jānis Ozols", email="janis@example.lv")
        case = case_open(client=client, channel="email", subject="Garantija", assignee=anna)
        # Commits: the outbox row with the reply, then (on commit) the outbox_send task.
        reply = case_reply(case=case, by=anna, body="Atbilde, kas jānosūta tieši vienreiz.")
        row = reply.outbox
        print(json.dumps({"outbox_id": row.pk, "message_id": row.message_id}))
    elif argv[0] == "state":
        row = OutboxMessage.objects.get(pk=int(argv[1]))
        print(
            json.dumps(
                {
                    "state": row.state,
                    "attempts": row.attempts,
                    "message_id": row.message_id,
                    "last_error": row.last_error,
                }
            )
        )
    else:
        raise SystemExit(f"unknown step {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
