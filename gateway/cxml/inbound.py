"""Receiving a cXML request from a partner: authenticate, check, store, answer.

`receive_cxml` is channel logic only (ARCHITECTURE decision 6): it authenticates the sender by
its Header credentials and SharedSecret (`partners.cxml_credentials`), checks the request is
one the gateway reads, stores it through the same steps as intake (payload and message row in
one transaction, a `translate` step, dispatched after the commit), and returns the cXML status
to answer. It never raises for what a partner sent: every outcome is a `CxmlOutcome`.

    200  stored (or already stored: a resend of the same payload is answered as the first was)
    400  not well-formed or hostile XML; a request type the gateway does not read
         ("unsupported: PunchOutOrderMessage"); content that cannot be read (a bad date ...)
    401  no Sender credential, an unknown one, a wrong SharedSecret, or the credential of
         another partner than the one in the URL (one answer for all, so nothing is revealed)
    403  the partner is suspended
    406  well-formed XML that is not cXML

Unauthenticated requests are not stored (anyone could fill the store); authenticated ones
that are refused are stored as `rejected` with the reason, for the operators.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.pipeline.intake import store_received
from gateway.pipeline.runtime import Runtime
from gateway.store.enums import Channel, Direction, MessageStatus, PartnerStatus
from gateway.store.models import Message, Partner
from gateway.store.types import new_id, utcnow
from partners.cxml_credentials import find_sender, hash_secret, verify_secret
from translators.cxml.readers import READERS, is_cxml, read_root, request_type
from translators.errors import TranslatorError, UnsupportedError, XmlError
from translators.xml.safe import parse_xml

UNAUTHORIZED = "the Sender credential or its SharedSecret is not recognised for this endpoint"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Checked against when no credential matches, so a wrong identity costs as long as a wrong
    # secret and response times do not tell which identities exist.
    return hash_secret("not a secret anyone has")


@dataclass(frozen=True, slots=True)
class CxmlOutcome:
    code: int
    detail: str
    message_id: uuid.UUID | None = None


def _credentials(root: Any, where: str) -> list[tuple[str, str, str | None]]:
    found = []
    for credential in root.iterfind(f"Header/{where}/Credential"):
        identity = (credential.findtext("Identity") or "").strip()
        secret = credential.findtext("SharedSecret")
        found.append((credential.get("domain", "").strip(), identity, secret))
    return found


def _authenticate(session: Session, root: Any, partner_ref: str) -> Partner | None:
    senders = _credentials(root, "Sender")
    secret = next((s for _, _, s in senders if s is not None), None)
    if secret is None:
        verify_secret(_dummy_hash(), "")
        return None
    for domain, identity, _ in senders + _credentials(root, "From"):
        match = find_sender(session, domain, identity)
        if match is None:
            continue
        credential, partner = match
        if verify_secret(credential.secret_hash, secret) and partner_ref in (
            partner.name,
            str(partner.id),
        ):
            return partner
        return None
    verify_secret(_dummy_hash(), secret)
    return None


def receive_cxml(
    runtime: Runtime, *, partner_ref: str, payload: bytes, meta: dict[str, Any]
) -> CxmlOutcome:
    try:
        root = parse_xml(payload)
    except XmlError as exc:
        return CxmlOutcome(400, str(exc))
    if not is_cxml(root):
        name = etree.QName(root).localname
        return CxmlOutcome(406, f"<{name}> is not a cXML document: send cXML to this endpoint")
    with runtime.sessions() as session:
        partner = _authenticate(session, root, partner_ref)
        if partner is None:
            return CxmlOutcome(401, UNAUTHORIZED)
        partner_id, partner_name, status = partner.id, partner.name, partner.status
    if status == PartnerStatus.SUSPENDED:
        return CxmlOutcome(
            403, f"partner {partner_name} is suspended: nothing it sends is processed"
        )
    problem: CxmlOutcome | None = None
    kind = "?"
    try:
        kind, _ = request_type(root)
        if kind not in READERS:
            raise UnsupportedError(f"unsupported: {kind}", kind=kind)
        read_root(root)  # the partner learns now, not later, that its content is unreadable
    except UnsupportedError as exc:
        problem = CxmlOutcome(400, f"{exc}: this gateway reads {', '.join(READERS)}")
    except TranslatorError as exc:
        problem = CxmlOutcome(400, f"{kind} could not be read: {exc}")
    return _store(
        runtime,
        partner_id=partner_id,
        payload=payload,
        meta={
            **meta,
            "via": "cxml",
            "format": "cxml",  # the translate step reads it as cXML
            "request_type": kind,
            "payload_id": root.get("payloadID"),
        },
        problem=problem,
        test=root.find("Request[@deploymentMode='test']") is not None,
    )


def _store(
    runtime: Runtime,
    *,
    partner_id: uuid.UUID,
    payload: bytes,
    meta: dict[str, Any],
    problem: CxmlOutcome | None,
    test: bool,
) -> CxmlOutcome:
    sha256 = hashlib.sha256(payload).hexdigest()
    step_ids: list[uuid.UUID] = []
    with runtime.sessions.begin() as session:
        if problem is None:
            earlier = session.execute(
                select(Message.id)
                .where(
                    Message.partner_id == partner_id,
                    Message.sha256 == sha256,
                    Message.direction == Direction.INBOUND,
                    Message.status != MessageStatus.REJECTED,
                )
                .limit(1)
            ).scalar_one_or_none()
            if earlier is not None:
                # a resend (the partner missed our answer): answered as the first time
                return CxmlOutcome(
                    200, f"already received as message {earlier}; not processed again", earlier
                )
        message_id = new_id()
        step_id = store_received(  # the same rows as every intake, in this transaction
            session,
            message_id=message_id,
            now=utcnow(),
            partner_id=partner_id,
            channel=Channel.API,
            meta=meta,
            payload=payload,
            sha256=sha256,
            status=MessageStatus.RECEIVED if problem is None else MessageStatus.REJECTED,
            reason=problem.detail if problem else None,
            duplicate_of=None,
            is_test=test,
            detail={"channel": "cxml", "payload_id": meta.get("payload_id")},
        )
        if step_id is not None:
            step_ids.append(step_id)
    if step_ids:
        runtime.dispatcher.dispatch(step_ids)
    if problem is not None:
        return CxmlOutcome(problem.code, problem.detail, message_id)
    return CxmlOutcome(200, f"stored as message {message_id}", message_id)
