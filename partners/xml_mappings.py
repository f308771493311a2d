"""Partner-specific XML: XSLT mappings kept in the registry, per partner, direction and
canonical document type, and the functions the pipeline calls to use them.

Inbound, an XSLT turns the partner's XML into canonical XML (`translators.xml.canonical_xml`),
which is validated against the canonical model; outbound, one turns canonical XML into the
partner's XML. Every stylesheet runs in the sandbox (`partners.xslt`).

    add_xslt(sessions, "Northwind", direction="in", document_type="order", xslt=b"...")
    read_inbound_xml(session, partner, raw)    # -> [canonical documents]
    render_outbound_xml(session, partner, doc)  # -> the partner's XML bytes

An inbound mapping applies to partner documents whose root element has the local name kept
as the mapping's ``name`` (``--root``); a partner with a single inbound mapping may leave it
out. cXML and UBL documents never go through a mapping: the gateway reads them itself.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, Final

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.store.enums import Direction
from gateway.store.models import Partner, PartnerMapping
from gateway.store.types import utcnow
from partners import audit
from partners.errors import InvalidError, NotFoundError
from partners.registry import CLI_ACTOR, find_partner
from partners.xslt import DEFAULT_TIMEOUT, XsltError, check_stylesheet, run_stylesheet
from translators.cxml.readers import is_cxml, read_root
from translators.errors import UnsupportedError
from translators.ubl import is_ubl, read_ubl_root
from translators.xml.canonical_xml import read_canonical_xml, write_canonical_xml
from translators.xml.safe import parse_xml

DOCUMENT_TYPES: Final = ("order", "order_ack", "ship_notice", "invoice")
DIRECTIONS: Final = {"in": Direction.INBOUND, "out": Direction.OUTBOUND}
KIND = "xslt"


def _direction(value: str) -> Direction:
    found = DIRECTIONS.get(value) or next((d for d in Direction if d.value == value), None)
    if found is None:
        raise InvalidError(f"direction must be in or out, not {value!r}", field="direction")
    return found


def mapping_view(partner: Partner, row: PartnerMapping) -> dict[str, Any]:
    content = (row.content or "").encode("utf-8")
    return {
        "id": str(row.id),
        "partner": partner.name,
        "direction": "in" if row.direction == Direction.INBOUND else "out",
        "document_type": row.document_type,
        "root": row.name,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest()[:16],
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }


def add_xslt(
    sessions: sessionmaker[Session],
    ref: str | uuid.UUID,
    *,
    direction: str,
    document_type: str,
    xslt: bytes,
    root: str | None = None,
    actor: str = CLI_ACTOR,
) -> dict[str, Any]:
    """Keep (or replace) a partner's XSLT for one direction and document type."""
    way = _direction(direction)
    if document_type not in DOCUMENT_TYPES:
        raise InvalidError(
            f"document type must be one of {', '.join(DOCUMENT_TYPES)}, not {document_type!r}",
            field="document_type",
        )
    try:
        check_stylesheet(xslt)
        text = xslt.decode("utf-8")
    except XsltError as exc:
        raise InvalidError(str(exc), field="xslt") from None
    except UnicodeDecodeError:
        raise InvalidError("the XSLT must be UTF-8", field="xslt") from None
    with sessions.begin() as session:
        partner = find_partner(session, ref, lock=True)
        row = session.execute(
            select(PartnerMapping).where(
                PartnerMapping.partner_id == partner.id,
                PartnerMapping.direction == way,
                PartnerMapping.document_type == document_type,
            )
        ).scalar_one_or_none()
        replaced = row is not None
        if row is None:
            row = PartnerMapping(partner_id=partner.id, direction=way, document_type=document_type)
            session.add(row)
        old_sha = (
            hashlib.sha256((row.content or "").encode()).hexdigest()[:16] if replaced else None
        )
        row.kind = KIND
        row.name = root
        row.content = text
        row.updated_at = utcnow()
        session.flush()
        view = mapping_view(partner, row)
        audit.record(
            session,
            actor=actor,
            action="partner.xslt_replaced" if replaced else "partner.xslt_added",
            partner=partner,
            changes={
                "direction": view["direction"],
                "document_type": document_type,
                "root": root,
                "sha256": [old_sha, view["sha256"]],
            },
        )
        return view


def list_xslts(
    sessions: sessionmaker[Session], ref: str | uuid.UUID | None = None
) -> list[dict[str, Any]]:
    with sessions.begin() as session:
        query = select(PartnerMapping, Partner).join(Partner).where(PartnerMapping.kind == KIND)
        if ref is not None:
            query = query.where(Partner.id == find_partner(session, ref).id)
        rows = session.execute(
            query.order_by(Partner.name, PartnerMapping.direction, PartnerMapping.document_type)
        ).all()
        return [mapping_view(partner, row) for row, partner in rows]


def _mappings(session: Session, partner: Partner, way: Direction) -> list[PartnerMapping]:
    return list(
        session.execute(
            select(PartnerMapping).where(
                PartnerMapping.partner_id == partner.id,
                PartnerMapping.direction == way,
                PartnerMapping.kind == KIND,
            )
        ).scalars()
    )


def read_inbound_xml(
    session: Session, partner: Partner, raw: bytes, *, timeout: float = DEFAULT_TIMEOUT
) -> list[dict[str, Any]]:
    """The canonical documents of an XML document a partner sent: cXML and UBL read directly,
    anything else through the partner's inbound XSLT for that root element.

    Raises `XmlError` (hostile or malformed), `UnsupportedError` (no mapping applies),
    `XsltError` (the stylesheet failed or overran) or `CanonicalXmlError` (its output is not
    a valid canonical document, with the field paths).
    """
    root = parse_xml(raw)
    if is_cxml(root):
        return [read_root(root)]
    if is_ubl(root):
        return [read_ubl_root(root)]
    name = etree.QName(root).localname
    mappings = _mappings(session, partner, Direction.INBOUND)
    chosen = [m for m in mappings if m.name == name]
    if not chosen and len(mappings) == 1 and not mappings[0].name:
        chosen = mappings
    if len(chosen) != 1:
        why = "no inbound XSLT" if not chosen else "several inbound XSLTs"
        raise UnsupportedError(
            f"unsupported: {name} (partner {partner.name} has {why} for <{name}> documents)",
            kind=name,
        )
    output = run_stylesheet((chosen[0].content or "").encode("utf-8"), raw, timeout=timeout)
    docs = read_canonical_xml(output)
    for doc in docs:
        if doc.get("envelope") is None:
            doc["envelope"] = (
                {"standard": "xml", "transaction_set": name}
                | {
                    key: None
                    for key in (
                        "sender_id",
                        "sender_qualifier",
                        "receiver_id",
                        "receiver_qualifier",
                        "interchange_control_number",
                        "group_control_number",
                        "functional_id",
                        "version",
                        "transaction_control_number",
                        "payload_id",
                        "timestamp",
                    )
                }
                | {"test": False}
            )
    return docs


def render_outbound_xml(
    session: Session,
    partner: Partner,
    doc: dict[str, Any],
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> bytes:
    """A canonical document (JSON-mode dict) in the partner's own XML, through its outbound
    XSLT for the document's type."""
    doc_type = str(doc.get("document_type"))
    for mapping in _mappings(session, partner, Direction.OUTBOUND):
        if mapping.document_type == doc_type:
            return run_stylesheet(
                (mapping.content or "").encode("utf-8"), write_canonical_xml(doc), timeout=timeout
            )
    raise NotFoundError(f"partner {partner.name} has no outbound XSLT for {doc_type} documents")
