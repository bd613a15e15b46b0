"""Who sees which compliance figures: ``charterdesk.cases.access.figures_access`` decides (the
one rule, on ``security/principal.py``): the quality manager every team's, a team lead the teams
they lead and the employees in them, anyone else no report (403).  This module turns it into the
report's ``Scope``.

The drill-down lists case references and subjects, so it also holds only the cases the reader
may see (``drilldown(viewer=…)`` through ``cases_visible_to``): a confidential case is listed only
to its team and those named on it, though the figures count it.
"""

from __future__ import annotations

from typing import Any

from charterdesk.cases.access import figures_access
from charterdesk.reports.figures import Scope


def report_scope(user: Any) -> Scope | None:
    """The cases ``user`` may see in the report, or None if they may see no report."""
    if user is None:
        return None
    access = figures_access(user)
    if access is None:
        return None
    if access.team_ids is None:
        return Scope.everything()
    return Scope(tuple(sorted(access.team_ids)))
