"""cXML `Response` documents: what the gateway answers, and reading what a partner answers.

response_document(200, "OK", "stored as message ...")  # bytes, valid against cXML.dtd
read_status(body)                                      # -> CxmlStatus(code, text, detail)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from lxml import etree

from translators.errors import XmlError
from translators.xml.safe import parse_xml

DTD_URL: Final = "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd"
PAYLOAD_DOMAIN: Final = "edi-gateway.invalid"

#: The status texts cXML uses with each code.
TEXTS: Final = {
    200: "OK",
    201: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _payload_id(now: datetime) -> str:
    return f"{now.strftime('%Y%m%d%H%M%S')}.{os.getpid()}.{os.urandom(6).hex()}@{PAYLOAD_DOMAIN}"


def response_document(code: int, detail: str | None = None, *, text: str | None = None) -> bytes:
    """A cXML Response with ``Status code`` and ``text``; ``detail`` is the Status content."""
    now = datetime.now(UTC)
    root = etree.Element(
        "cXML",
        payloadID=_payload_id(now),
        timestamp=now.isoformat(timespec="seconds"),
        attrib={"{http://www.w3.org/XML/1998/namespace}lang": "en-US"},
    )
    status = etree.SubElement(
        etree.SubElement(root, "Response"),
        "Status",
        code=str(code),
        text=text or TEXTS.get(code, "Error"),
    )
    if detail:
        status.text = detail
    return bytes(
        etree.tostring(
            root.getroottree(),
            xml_declaration=True,
            encoding="UTF-8",
            doctype=f'<!DOCTYPE cXML SYSTEM "{DTD_URL}">',
        )
    )


@dataclass(frozen=True, slots=True)
class CxmlStatus:
    code: int
    text: str | None
    detail: str | None


def read_status(body: bytes) -> CxmlStatus:
    """The Status of a partner's cXML Response; `XmlError` when the body is not one."""
    root = parse_xml(body)
    status = root.find("Response/Status")
    if root.tag != "cXML" or status is None:
        raise XmlError("the answer is not a cXML Response with a Status")
    code = status.get("code", "")
    if not code.isdigit():
        raise XmlError(f"the cXML Status code {code!r} is not a number")
    detail = (status.text or "").strip() or None
    return CxmlStatus(int(code), status.get("text"), detail)
