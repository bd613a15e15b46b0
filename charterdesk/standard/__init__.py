"""The service standard as code: the policy file, its loader and the commitment registry."""

from __future__ import annotations

from functools import lru_cache

from charterdesk.standard.channels import Channel
from charterdesk.standard.policy import Commitment, Kind, Policy, PolicyError, load_policy

__all__ = ["Channel", "Commitment", "Kind", "Policy", "PolicyError", "get_policy", "load_policy"]


@lru_cache(maxsize=1)
def get_policy() -> Policy:
    """The policy named by ``settings.CHARTERDESK_POLICY``, loaded once per process."""
    from django.conf import settings

    return load_policy(settings.CHARTERDESK_POLICY)
