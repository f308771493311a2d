"""The closed sets of values the store keeps (each is a CHECK constraint in the database)."""

from __future__ import annotations

from enum import StrEnum


class PartnerRole(StrEnum):
    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    BOTH = "both"


class PartnerStatus(StrEnum):
    DRAFT = "draft"
    TESTING = "testing"
    LIVE = "live"
    SUSPENDED = "suspended"


class DuplicatePolicy(StrEnum):
    REJECT = "reject"
    WARN = "warn"
    ACCEPT = "accept"


class AckPreference(StrEnum):
    """Which functional acknowledgment a partner wants for what it sends."""

    FA_997 = "997"
    FA_999 = "999"
    NONE = "none"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Channel(StrEnum):
    API = "api"
    AS2 = "as2"
    SFTP = "sftp"
    CLI = "cli"
    CXML = "cxml"  # outbound over the cXML exchange (POSTed to the partner's URL)


class MessageStatus(StrEnum):
    """A message's status as the HTTP API reports it (`failed` means dead-lettered)."""

    RECEIVED = "received"
    PROCESSING = "processing"
    DELIVERED = "delivered"
    PARTIALLY_REJECTED = "partially_rejected"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    FAILED = "failed"


class DocumentStatus(StrEnum):
    """Inbound: pending -> delivered (to the ERP). Outbound: pending -> delivered (to the
    partner) -> acknowledged (its 997/999 accepted it). rejected: the partner or the ERP
    refused it; failed: its step was dead-lettered."""

    PENDING = "pending"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    REJECTED = "rejected"
    FAILED = "failed"


class AckKind(StrEnum):
    FA_997 = "997"
    FA_999 = "999"
    TA1 = "TA1"
    MDN = "MDN"


class AckStatus(StrEnum):
    """AK9/IK9 (A, E, P, R), TA1 (A, E, R) and MDN dispositions, in one vocabulary."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"


class StepKind(StrEnum):
    TRANSLATE = "translate"
    MAP = "map"
    DELIVER_ERP = "deliver_erp"
    SEND_ACK = "send_ack"
    RENDER = "render"
    DELIVER_PARTNER = "deliver_partner"
    AWAIT_ACK = "await_ack"


class StepState(StrEnum):
    """pending: ready to run. running: leased by a worker until `lease_expires_at`.
    failed: the last attempt failed, retried from `next_attempt_at`. waiting: blocked on
    something outside (ERP circuit open, a 997 not yet received), re-checked from
    `next_attempt_at` without spending an attempt. done. dead: dead-lettered."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DEAD = "dead"
    WAITING = "waiting"


class ControlNumberKind(StrEnum):
    ISA = "isa"
    GS = "gs"
    ST = "st"


class KeyKind(StrEnum):
    """Who an API key speaks for: a partner, an ERP target, or an operator (a token)."""

    PARTNER = "partner"
    ERP = "erp"
    OPERATOR = "operator"


class OperatorRole(StrEnum):
    """What an operator token may do: admin and operator change things (replay, keys),
    read-only only looks."""

    ADMIN = "admin"
    OPERATOR = "operator"
    READ_ONLY = "read-only"
