"""The desk's own writes: last-seen moments, saved inbox views, and bulk actions (which call the
case services of ``charterdesk/cases/services/`` once per case)."""

from charterdesk.desk.services.bulk import BulkAction, BulkItem, bulk_apply, bulk_plan
from charterdesk.desk.services.saved_filters import (
    SAVED_FILTER_KEYS,
    SAVED_FILTERS_MAX,
    normalise_query,
    saved_filter_delete,
    saved_filter_save,
    saved_filters_of,
)
from charterdesk.desk.services.seen import case_seen

__all__ = [
    "SAVED_FILTERS_MAX",
    "SAVED_FILTER_KEYS",
    "BulkAction",
    "BulkItem",
    "bulk_apply",
    "bulk_plan",
    "case_seen",
    "normalise_query",
    "saved_filter_delete",
    "saved_filter_save",
    "saved_filters_of",
]
