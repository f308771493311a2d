"""A partner's settings, checked one by one: each function takes what an operator typed (or a
JSON body held) and returns the value to store, or raises `InvalidError` naming the field.

The CLI, the HTTP API and the web UI all go through these, so a value refused in one is
refused in all, with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from gateway.store.enums import AckPreference, DuplicatePolicy, PartnerRole, PartnerStatus
from partners.errors import InvalidError

X12_VERSIONS = ("004010", "005010")
TA1_POLICIES = ("on_request", "always", "never")
CHANNELS = ("api", "as2", "sftp", "cxml")
# what the partner finds in its API mailbox: X12, UBL 2.1, or its own XML (outbound XSLT)
API_FORMATS = ("x12", "ubl", "xml")
DELIMITER_NAMES = ("element", "component", "repetition", "segment")
CANONICAL_TYPES = ("order", "order_ack", "ship_notice", "invoice")
CONTACT_KEYS = ("name", "email", "phone", "role")
# secrets are hashed or sealed in their own tables, never kept in the channel settings
SECRET_WORDS = ("secret", "password", "passphrase", "private", "token", "api_key")
MAX_ACK_WINDOW_MINUTES = 60 * 24 * 30
MAX_NOTES = 10_000

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SET_ID = re.compile(r"^[0-9]{3}$")
# one ASCII character that is not a letter, digit, space or NUL
_DELIMITER = re.compile(r"[\x01-\x1f\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _choice(field: str, value: Any, allowed: tuple[str, ...]) -> str:
    text = str(value).strip().lower() if value is not None else ""
    if text not in allowed:
        raise InvalidError(
            f"{field} must be one of {', '.join(allowed)}, not {value!r}", field=field
        )
    return text


def _text(field: str, value: Any, *, max_length: int, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidError(f"{field} must be text, not {type(value).__name__}", field=field)
    text = value.strip()
    if not text:
        raise InvalidError(f"{field} must not be empty", field=field)
    if len(text) > max_length:
        raise InvalidError(f"{field} is longer than {max_length} characters", field=field)
    bad = _CONTROL.search(text.replace("\n", "").replace("\t", "") if multiline else text)
    if bad:
        raise InvalidError(f"{field} contains the control character {bad.group()!r}", field=field)
    return text


def parse_isa(value: str, field: str = "--isa") -> tuple[str, str]:
    """``"ZZ:ACME"`` -> ("ZZ", "ACME"); the qualifier is 2 characters, the id 1 to 15."""
    qualifier, sep, isa_id = str(value).partition(":")
    qualifier, isa_id = qualifier.strip().upper(), isa_id.strip()
    if (
        not sep
        or len(qualifier) != 2
        or not qualifier.isalnum()
        or not 1 <= len(isa_id) <= 15
        or not isa_id.isprintable()
        or any(c in isa_id for c in "*~:^|")
    ):
        raise InvalidError(
            f"{field} {value!r}: expected QUALIFIER:ID, e.g. ZZ:ACMEDIST (qualifier 2 characters, "
            "id 1 to 15, no X12 delimiters)",
            field=field,
        )
    return qualifier, isa_id


def gs_id(value: str | None) -> str | None:
    """A GS02/GS03 application id: 2 to 15 characters."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if not 2 <= len(text) <= 15 or not text.isprintable() or any(c in text for c in "*~:^|"):
        raise InvalidError(f"gs_id {value!r}: 2 to 15 characters, no X12 delimiters", field="gs_id")
    return text


def name(value: Any) -> str:
    return _text("name", value, max_length=200)


def role(value: Any) -> PartnerRole:
    return PartnerRole(_choice("role", value, tuple(r.value for r in PartnerRole)))


def initial_status(value: Any) -> PartnerStatus:
    """A new partner starts as draft, testing or live (suspended is something that happens)."""
    return PartnerStatus(_choice("status", value, ("draft", "testing", "live")))


def status(value: Any) -> PartnerStatus:
    return PartnerStatus(_choice("status", value, tuple(s.value for s in PartnerStatus)))


def x12_version(value: Any) -> str:
    return _choice("x12_version", value, X12_VERSIONS)


def ack(value: Any) -> AckPreference:
    return AckPreference(_choice("ack", value, tuple(a.value for a in AckPreference)))


def ta1_policy(value: Any) -> str:
    return _choice("ta1_policy", str(value).replace("-", "_"), TA1_POLICIES)


def duplicate_policy(value: Any) -> DuplicatePolicy:
    allowed = tuple(d.value for d in DuplicatePolicy)
    return DuplicatePolicy(_choice("duplicate_policy", value, allowed))


def ack_window_minutes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            raise InvalidError(
                f"ack_window_minutes must be a whole number of minutes, not {value!r}",
                field="ack_window_minutes",
            ) from None
    minutes = int(value)
    if not 1 <= minutes <= MAX_ACK_WINDOW_MINUTES:
        raise InvalidError(
            f"ack_window_minutes must be between 1 and {MAX_ACK_WINDOW_MINUTES} (30 days)",
            field="ack_window_minutes",
        )
    return minutes


def delimiters(value: Any) -> dict[str, str]:
    """{element, component, repetition, segment}: single, distinct characters that are not
    letters, digits or space (any may be left out: the writer's defaults fill in)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidError("delimiters must be an object", field="delimiters")
    unknown = sorted(set(value) - set(DELIMITER_NAMES))
    if unknown:
        raise InvalidError(
            f"delimiters: unknown {', '.join(unknown)} (takes {', '.join(DELIMITER_NAMES)})",
            field="delimiters",
        )
    chosen = {k: v for k, v in value.items() if v is not None}
    for key, char in chosen.items():
        if not isinstance(char, str) or not _DELIMITER.fullmatch(char):
            raise InvalidError(
                f"delimiters.{key} must be one ASCII character that is not a letter, digit or "
                "space, "
                f"not {char!r}",
                field="delimiters",
            )
    if len(set(chosen.values())) != len(chosen):
        raise InvalidError("delimiters must all be different", field="delimiters")
    return dict(chosen)


def documents(field: str, value: Any) -> list[str]:
    """Document types enabled in one direction: X12 set ids ("850") or canonical types
    ("order"). An empty list enables everything the gateway supports."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        raise InvalidError(f"{field} must be a list", field=field)
    out: list[str] = []
    for item in value:
        text = str(item).strip().lower()
        if not (_SET_ID.match(text) or text in CANONICAL_TYPES):
            raise InvalidError(
                f"{field}: {item!r} is neither an X12 transaction set id (850) nor a canonical "
                f"type ({', '.join(CANONICAL_TYPES)})",
                field=field,
            )
        if text not in out:
            out.append(text)
    return out


def _secret_like(key: str) -> bool:
    return any(word in key.lower() for word in SECRET_WORDS)


def _plain(field: str, value: Any, depth: int = 0) -> Any:
    """JSON made of objects, lists and scalars, with no control characters in any text (the
    database's JSON refuses some, and they are never meant)."""
    if depth > 5:
        raise InvalidError(f"{field} is nested too deeply", field=field.split(".")[0])
    if isinstance(value, dict):
        for key in value:
            _text(f"{field} key", key, max_length=100)
            if _secret_like(key):
                raise InvalidError(
                    f"{field}.{key}: secrets are not kept in the registry's settings (they are "
                    "stored hashed or sealed by their own commands)",
                    field=field.split(".")[0],
                )
        return {k.strip(): _plain(f"{field}.{k}", v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(f"{field}[]", v, depth + 1) for v in value]
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise InvalidError(f"{field} contains a control character", field=field.split(".")[0])
        return value
    if value is None or isinstance(value, bool | int | float):
        return value
    raise InvalidError(f"{field}: {type(value).__name__} is not JSON", field=field.split(".")[0])


def channels(value: Any) -> dict[str, Any]:
    """Settings by channel: {"api": {"enabled": true}, "as2": {...}}. Each channel's issue
    defines its keys; the registry only checks the shape and keeps secrets out."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidError("channels must be an object keyed by channel", field="channels")
    value = {k: v for k, v in value.items() if v is not None}  # null: no settings for it
    unknown = sorted(str(k) for k in value if k not in CHANNELS)
    if unknown:
        raise InvalidError(
            f"channels: unknown channel {', '.join(unknown)} (one of {', '.join(CHANNELS)})",
            field="channels",
        )
    for key, settings in value.items():
        if not isinstance(settings, dict):
            raise InvalidError(f"channels.{key} must be an object", field="channels")
    fmt = (value.get("api") or {}).get("format")
    if fmt is not None and fmt not in API_FORMATS:
        raise InvalidError(
            f"channels.api.format must be one of {', '.join(API_FORMATS)}, not {fmt!r}",
            field="channels",
        )
    plain: dict[str, Any] = _plain("channels", value)
    return plain


def contacts(value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidError("contacts must be a list", field="contacts")
    out: list[dict[str, str]] = []
    for n, contact in enumerate(value, 1):
        where = f"contacts[{n}]"
        if not isinstance(contact, dict):
            raise InvalidError(f"{where} must be an object", field="contacts")
        unknown = sorted(set(contact) - set(CONTACT_KEYS))
        if unknown:
            raise InvalidError(
                f"{where}: unknown {', '.join(unknown)} (takes {', '.join(CONTACT_KEYS)})",
                field="contacts",
            )
        entry = {
            k: _text(f"{where}.{k}", v, max_length=200)
            for k, v in contact.items()
            if v is not None and str(v).strip()
        }
        if not entry.get("name") and not entry.get("email"):
            raise InvalidError(f"{where} needs a name or an email", field="contacts")
        if "email" in entry and not _EMAIL.match(entry["email"]):
            raise InvalidError(
                f"{where}.email {entry['email']!r} is not an email address", field="contacts"
            )
        out.append(entry)
    return out


def notes(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _text("notes", value, max_length=MAX_NOTES, multiline=True)


# What `update_partner` takes, and how each is checked (erp/test_erp are resolved against the
# store, identities and status have their own functions).
CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": name,
    "role": role,
    "x12_version": x12_version,
    "delimiters": delimiters,
    "documents_in": lambda v: documents("documents_in", v),
    "documents_out": lambda v: documents("documents_out", v),
    "ack": ack,
    "ta1_policy": ta1_policy,
    "ack_window_minutes": ack_window_minutes,
    "duplicate_policy": duplicate_policy,
    "channels": channels,
    "contacts": contacts,
    "notes": notes,
}
