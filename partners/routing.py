"""Where a partner's inbound documents go: its ERP route, or - in test mode - its test route.

Test mode (a partner not yet live, or an interchange sent with ISA15 = T) must never reach the
production ERP. A test document goes to the partner's test ERP target; without one it is held
(the delivery step is dead-lettered with the reason, and replayed once a test target is set or
the partner is live). The one exception is the built-in demo ERP: it reaches no real system, so
a partner routed to it (the embedded quick start) may send test documents there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.store.models import ErpTarget, Partner
from partners.lifecycle import is_test_mode
from translators.errors import GatewayError

DEFAULT_TARGET = "default"
SAFE_FOR_TESTS = frozenset({"demo"})  # adapter kinds that reach no real ERP


class RouteHeld(GatewayError):
    """A document cannot be delivered anywhere allowed; the message says what to configure."""


@dataclass(frozen=True, slots=True)
class Route:
    target: ErpTarget
    test: bool  # the ERP is told it is a test document (the adapters pass it on)


def default_target(session: Session) -> ErpTarget | None:
    """The target named `default`: the route of a partner that names none."""
    return session.execute(
        select(ErpTarget).where(ErpTarget.name == DEFAULT_TARGET)
    ).scalar_one_or_none()


def erp_route(session: Session, partner: Partner | None, *, test_interchange: bool) -> Route:
    """The ERP target for a document from `partner` (None: no partner known, default route)."""
    production = None
    if partner is not None and partner.erp_target_id is not None:
        production = session.get(ErpTarget, partner.erp_target_id)
    production = production or default_target(session)
    if partner is None or not is_test_mode(partner.status, test_interchange=test_interchange):
        if production is None:
            raise RouteHeld(
                "no ERP route: the partner has no ERP target and there is no target named "
                f"{DEFAULT_TARGET!r} (edi-gateway erp add {DEFAULT_TARGET} ...)"
            )
        return Route(production, test_interchange)
    if partner.test_erp_target_id is not None:
        target = session.get(ErpTarget, partner.test_erp_target_id)
        if target is not None:
            return Route(target, True)
    if production is not None and production.kind in SAFE_FOR_TESTS:
        return Route(production, True)
    why = (
        "the interchange is a test one (ISA15 = T)"
        if test_interchange and partner.status.value == "live"
        else f"partner {partner.name} is {partner.status.value}"
    )
    raise RouteHeld(
        f"held: {why} and has no test ERP target, and test documents never go to the "
        f"production ERP; set one (edi-gateway partners update {partner.name!r} --test-erp NAME)"
        " or make the partner live, then replay this step"
    )
