"""What `/api/v1/partners` takes and answers: `PartnerCreate` / `PartnerUpdate` in,
`PartnerPublic` out, and the families of identities, keys, status changes and audit entries.

The patterns below say in the schema what `partners.fields` checks, so a request the document
calls valid is not refused as invalid (what a schema cannot say - two delimiters the same, a
name already taken - is a 409 or a 422 with the field named).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from gateway.store.enums import AckPreference, DuplicatePolicy, PartnerRole, PartnerStatus

_ID = "0190d6a2-7c4e-7a10-9c3b-5f2e8d1a4b6c"
_AT = "2026-03-11T08:14:07.123456Z"

# one visible character at least, no control characters
_TEXT = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
_ISA_ID_CHARS = r"A-Za-z0-9._\-/&@#"
ISA_PATTERN = (
    rf"^[A-Za-z0-9]{{2}}:[{_ISA_ID_CHARS}](?:[{_ISA_ID_CHARS} ]{{0,13}}[{_ISA_ID_CHARS}])?$"
)
GS_PATTERN = rf"^[{_ISA_ID_CHARS}](?:[{_ISA_ID_CHARS} ]{{0,13}}[{_ISA_ID_CHARS}])$"

Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_TEXT)]
Isa = Annotated[str, StringConstraints(pattern=ISA_PATTERN)]
GsId = Annotated[str, StringConstraints(pattern=GS_PATTERN)]
Notes = Annotated[
    str, StringConstraints(max_length=10_000, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$")
]
DocumentType = Annotated[
    str, StringConstraints(pattern=r"^(?:[0-9]{3}|order|order_ack|ship_notice|invoice)$")
]
# one ASCII character that is not a letter, digit, space or NUL
Delimiter = Annotated[
    str, StringConstraints(pattern=r"^[\x01-\x1f\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]$")
]
SettingKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
SettingValue = (
    Annotated[str, StringConstraints(max_length=1000, pattern=r"^[^\x00-\x1f\x7f]*$")]
    | Annotated[int, Field(ge=-(2**53), le=2**53)]
    | bool
    | None
)
ChannelSettings = Annotated[
    dict[SettingKey, SettingValue],
    Field(json_schema_extra={"additionalProperties": False}),
]
TargetName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=_TEXT)]
Version = Literal["004010", "005010"]
Ta1Policy = Literal["on_request", "always", "never"]


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


class Delimiters(BaseModel):
    """Outbound delimiters: one character each, not a letter, digit or space; all different.
    Any left out take the writer's default (`*`, `:`, `^` in 005010, `~`)."""

    model_config = _examples({"element": "*", "component": ">", "segment": "~"})

    element: Delimiter | None = None
    component: Delimiter | None = None
    repetition: Delimiter | None = None
    segment: Delimiter | None = None


class Channels(BaseModel):
    """Settings per channel (each channel's issue defines its keys). Secrets never go here:
    a key naming one (`secret`, `password`, `token`...) is refused."""

    model_config = _examples({"api": {"enabled": True, "outbox": True}})

    api: ChannelSettings | None = None
    as2: ChannelSettings | None = None
    sftp: ChannelSettings | None = None
    cxml: ChannelSettings | None = None


class Contact(BaseModel):
    model_config = _examples(
        {"name": "Dana Whitfield", "email": "edi@northwind.example", "role": "EDI coordinator"}
    )

    name: Text200
    email: (
        Annotated[
            str,
            StringConstraints(
                max_length=200,
                pattern=r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$",
            ),
        ]
        | None
    ) = None
    phone: Text200 | None = None
    role: Text200 | None = None


class _Settings(BaseModel):
    """The settings a partner may be created with or changed to."""

    x12_version: Version | None = Field(
        default=None, description="Default X12 version for what we send it."
    )
    delimiters: Delimiters | None = None
    documents_in: list[DocumentType] | None = Field(
        default=None,
        max_length=20,
        description="Document types it may send (X12 set ids or canonical types); "
        "empty: everything supported.",
    )
    documents_out: list[DocumentType] | None = Field(
        default=None, max_length=20, description="Document types we send it; empty: all."
    )
    ack: AckPreference | None = Field(
        default=None, description="The functional acknowledgment it gets: 997, 999 or none."
    )
    ta1_policy: Ta1Policy | None = Field(
        default=None, description="TA1 for its interchanges: on_request (ISA14 = 1), always, never."
    )
    ack_window_minutes: int | None = Field(
        default=None,
        ge=1,
        le=43_200,
        description="How long it has to acknowledge what we send before it is overdue.",
    )
    duplicate_policy: DuplicatePolicy | None = Field(
        default=None, description="A resent payload or ISA13: reject, warn (hold) or accept."
    )
    channels: Channels | None = None
    contacts: list[Contact] | None = Field(default=None, max_length=20)
    notes: Notes | None = None


class PartnerCreate(_Settings):
    """A new partner. It starts in `testing` unless told otherwise."""

    model_config = _examples(
        {
            "name": "Northwind Hardware",
            "isa": ["ZZ:NWHARDWARE"],
            "role": "customer",
            "status": "testing",
            "erp": "sap-prod",
            "test_erp": "sap-qa",
            "documents_in": ["850"],
            "documents_out": ["855", "856", "810"],
            "ack": "997",
        }
    )

    name: Text200
    isa: list[Isa] = Field(
        min_length=1, max_length=20, description="ISA identities it sends as, QUALIFIER:ID."
    )
    gs_id: GsId | None = Field(default=None, description="GS02 application id it sends as.")
    role: PartnerRole = PartnerRole.CUSTOMER
    status: Literal["draft", "testing", "live"] = "testing"
    erp: TargetName | None = Field(
        default=None, description="ERP target for its documents (default: `default`)."
    )
    test_erp: TargetName | None = Field(
        default=None, description="ERP target for its test documents (never production)."
    )


class PartnerUpdate(_Settings):
    """The fields to change. A field left out, or null, stays as it is - except `erp`,
    `test_erp` and `notes`, which null clears (`erp` null: the `default` target)."""

    model_config = _examples({"test_erp": "sap-qa", "ack_window_minutes": 240})

    name: Text200 | None = None
    role: PartnerRole | None = None
    erp: TargetName | None = None
    test_erp: TargetName | None = None


class StatusChange(BaseModel):
    model_config = _examples({"status": "suspended", "reason": "unpaid invoices, per finance"})

    status: PartnerStatus
    reason: Notes | None = Field(default=None, description="Kept in the audit history.")


class IdentityCreate(BaseModel):
    model_config = _examples({"isa": "01:123456789", "gs_id": "NWHW"})

    isa: Isa
    gs_id: GsId | None = None


class IdentityPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": _ID, "isa_qualifier": "ZZ", "isa_id": "NWHARDWARE", "gs_id": None}]
        }
    )

    id: uuid.UUID
    isa_qualifier: str
    isa_id: str
    gs_id: str | None


class PartnerPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _ID,
                    "name": "Northwind Hardware",
                    "role": "customer",
                    "status": "live",
                    "isa": ["ZZ:NWHARDWARE"],
                    "erp": "sap-prod",
                    "ack": "997",
                    "duplicate_policy": "reject",
                    "test_erp": "sap-qa",
                    "identities": [
                        {"id": _ID, "isa_qualifier": "ZZ", "isa_id": "NWHARDWARE", "gs_id": None}
                    ],
                    "x12_version": "004010",
                    "delimiters": {},
                    "documents_in": ["850"],
                    "documents_out": ["855", "856", "810"],
                    "ta1_policy": "on_request",
                    "ack_window_minutes": 1440,
                    "channels": {"api": {"enabled": True}},
                    "contacts": [],
                    "notes": None,
                    "created_at": _AT,
                    "updated_at": _AT,
                    "last_activity_at": _AT,
                }
            ]
        }
    )

    id: uuid.UUID
    name: str
    role: PartnerRole
    status: PartnerStatus
    isa: list[str] = Field(description="Its ISA identities as QUALIFIER:ID.")
    erp: str | None = Field(description="Its ERP target (null: the `default` target).")
    ack: AckPreference
    duplicate_policy: DuplicatePolicy
    test_erp: str | None = Field(description="Where its test documents go (null: held).")
    identities: list[IdentityPublic]
    x12_version: str
    delimiters: dict[str, str]
    documents_in: list[str]
    documents_out: list[str]
    ta1_policy: str
    ack_window_minutes: int
    channels: dict[str, Any]
    contacts: list[dict[str, str]]
    notes: str | None
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime | None = Field(description="Its latest message, either way.")


class KeyCreate(BaseModel):
    model_config = _examples({"label": "Northwind ERP connector"})

    label: Text200 | None = None


class PartnerKeyPublic(BaseModel):
    """A key as listings show it: never the key or its hash."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _ID,
                    "prefix": "k3j5r7m2x9qa",
                    "kind": "partner",
                    "partner_id": _ID,
                    "label": "Northwind ERP connector",
                    "created_at": _AT,
                    "last_used_at": None,
                    "revoked_at": None,
                }
            ]
        }
    )

    id: uuid.UUID
    prefix: str
    kind: Literal["partner"]
    partner_id: uuid.UUID
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class PartnerKeyIssued(PartnerKeyPublic):
    """A new key: `key` is shown in this answer only (the gateway keeps its hash)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "gwk_k3j5r7m2x9qa_" + "a" * 52,
                    "id": _ID,
                    "prefix": "k3j5r7m2x9qa",
                    "kind": "partner",
                    "partner_id": _ID,
                    "label": None,
                    "created_at": _AT,
                    "last_used_at": None,
                    "revoked_at": None,
                    "replaces": None,
                }
            ]
        }
    )

    key: str = Field(description="Send it as `Authorization: Bearer <key>`. Shown once.")
    replaces: uuid.UUID | None = Field(default=None, description="The key a rotation revoked.")


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _ID,
                    "at": _AT,
                    "actor": "token:k3j5r7m2x9qa",
                    "action": "partner.status",
                    "partner_id": _ID,
                    "partner": "Northwind Hardware",
                    "changes": {"status": ["testing", "live"], "reason": "certified"},
                }
            ]
        }
    )

    id: uuid.UUID
    at: datetime
    actor: str = Field(description='Who: "cli", "token:<key prefix>", "user:<name>".')
    action: str = Field(
        description="partner.created, partner.updated, partner.status, partner.identity_added, "
        "partner.identity_removed, partner.key_issued, partner.key_rotated, partner.key_revoked"
    )
    partner_id: uuid.UUID | None
    partner: str | None
    changes: dict[str, Any] = Field(description="{field: [old, new]}, or the created fields.")
