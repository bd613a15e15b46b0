"""The sweep finds pending timers through the partial index ``timer_pending``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from charterdesk.sla.checks import due_for_check
from charterdesk.sla.models import Timer

pytestmark = pytest.mark.django_db


def test_the_sweep_query_uses_the_partial_index():
    # The query sla_sweep runs, not a copy of it.
    sql, params = due_for_check(timezone.now()).values_list("pk", flat=True).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A near-empty table is read sequentially by choice; forbid that to see the index is usable.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert "timer_pending" in plan, plan


def test_only_timers_with_something_pending_are_indexed():
    index = next(i for i in Timer._meta.indexes if i.name == "timer_pending")
    assert index.fields == ["next_check_at"]
    assert str(index.condition) == "(AND: ('next_check_at__isnull', False))"
