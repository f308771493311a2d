"""A partner's lifecycle: draft -> testing -> live, suspended from testing or live, and
reinstated from suspension into testing or live.

    draft ──► testing ──► live
      ▲          │ ▲        │
      └──────────┘ └────────┤  (live -> testing: back to certification, e.g. a new map)
                 ▼          ▼
                 suspended ─┘  (suspended -> testing | live: reinstated)

What each status means for traffic:
- draft: being set up; documents it sends go the test way (never to production);
- testing: documents go to the partner's test ERP target (held when it has none);
- live: documents go to its ERP route (an interchange with ISA15 = T still goes the test way);
- suspended: its API keys are refused and anything it sends is stored and rejected.
"""

from __future__ import annotations

from gateway.store.enums import PartnerStatus
from partners.errors import ConflictError

D, T, L, S = (
    PartnerStatus.DRAFT,
    PartnerStatus.TESTING,
    PartnerStatus.LIVE,
    PartnerStatus.SUSPENDED,
)

ALLOWED: dict[PartnerStatus, frozenset[PartnerStatus]] = {
    D: frozenset({T}),
    T: frozenset({D, L, S}),
    L: frozenset({T, S}),
    S: frozenset({T, L}),
}

_WHY = {
    (D, L): "a draft partner goes to testing first, to prove its documents before going live",
    (D, S): "a draft partner sends nothing yet: there is nothing to suspend",
    (L, D): "a live partner cannot go back to draft: move it to testing, or suspend it",
    (S, D): "a suspended partner is reinstated into testing or live, not draft",
}


def check_transition(partner_name: str, old: PartnerStatus, new: PartnerStatus) -> None:
    """Raise `ConflictError` saying why, unless `old` -> `new` is allowed."""
    if old == new:
        raise ConflictError(f"partner {partner_name} is already {new.value}", field="status")
    if new not in ALLOWED[old]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[old]))
        why = _WHY.get((old, new), f"{old.value} -> {new.value} is not a step of the lifecycle")
        raise ConflictError(
            f"partner {partner_name} cannot go from {old.value} to {new.value}: {why} "
            f"(from {old.value} it may go to {allowed})",
            field="status",
        )


def is_test_mode(status: PartnerStatus, *, test_interchange: bool) -> bool:
    """Whether a partner's inbound documents go the test way."""
    return test_interchange or status != PartnerStatus.LIVE
