"""The commitment IDs the software knows how to enforce or measure.

A policy file maps an institution's standard onto these IDs.  A commitment that the software has no
engine for may still be listed, marked ``custom = true``, as long as it is a process rule or is not
measurable by software; anything else with an ID outside this catalogue is rejected as unknown.
"""

from __future__ import annotations

KNOWN_IDS: dict[str, str] = {
    "COMPETENCE-LIMIT": "acts and decides only within one's competence",
    "CONFIDENTIALITY": "client information kept confidential",
    "MISTAKE-APOLOGY": "mistakes admitted, apology and correction recorded",
    "TIME-ESTIMATE": "the client is told when the answer will come, and the date is kept",
    "ROUTE-INTERNAL": "requests outside one's competence go to the competent colleague",
    "DECLINE-REASONS": "a refusal always carries justified reasons",
    "ROUTE-EXTERNAL": "requests outside the institution's competence go to the competent institution",
    "NO-GIFTS": "no gifts, hospitality or benefits accepted",
    "PROGRAMME-CHANNELS": "each programme states how to apply and receive it",
    "PORTAL-APPLY": "applications submitted electronically in the client portal",
    "OFFICE-ANY": "consultations at any office regardless of residence or legal address",
    "OFFICE-BOOKING": "visits booked in advance",
    "CONTACTS-PUBLISHED": "hours, phone numbers and e-mails published",
    "OFFICE-TIMELY": "professional and timely service at the office",
    "OFFICE-ACCESSIBLE": "premises accessible to persons with special needs",
    "CALL-RECORDING-NOTICE": "callers told that calls may be recorded",
    "PHONE-RING": "calls answered by the given ring",
    "PHONE-IDENTIFY": "the employee names the institution and themselves",
    "PHONE-ONE-CONTACT": "the answer or a callback within one contact",
    "EMAIL-ACK": "acknowledgement when the answer will not come the same day",
    "EMAIL-REPLY-1BD": "answer within one working day, or the delay explained",
    "EMAIL-IDENTITY": "replies carry the institution's and the employee's identity",
    "FEEDBACK-ANY-CHANNEL": "praise and criticism accepted on every channel",
    "SURVEYS": "client surveys",
    "CLIENT-CHANNEL-CHOICE": "the client chooses the channel",
    "CLIENT-LATE-NOTICE": "the client warns of being late or not coming",
    "CLIENT-SPECIAL-NEEDS": "the client's special needs recorded",
    "CLIENT-CONTACT": "the client gives a phone number or e-mail address",
    "CLIENT-ID": "an identity document shown where the service requires it",
}
