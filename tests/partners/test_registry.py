"""The registry's service functions on SQLite and PostgreSQL: partners with their settings and
identities, the lifecycle, validation with the field named, keys, and the audit entry every
change writes in its own transaction."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gateway.auth import authenticate
from gateway.commands.admin import CommandError, add_erp_target, add_partner
from gateway.commands.keys import issue_partner_key as cli_issue_key
from gateway.commands.keys import revoke
from gateway.secretbox import SecretBox
from gateway.store import create_message
from gateway.store.enums import Channel, Direction, PartnerStatus
from gateway.store.models import AuditEntry, Partner, PartnerIdentity
from partners import keys, registry
from partners.errors import ConflictError, InvalidError, NotFoundError
from partners.lifecycle import ALLOWED

BOX = SecretBox("test-secret-key-with-enough-length-0123456789")


@pytest.fixture
def targets(sessions: sessionmaker[Session]) -> None:
    for name in ("prod", "qa"):
        add_erp_target(sessions, BOX, name=name, kind="folder", config={"directory": "/x"})


def audit_actions(sessions: sessionmaker[Session], partner_id: str) -> list[str]:
    return [e["action"] for e in registry.audit_history(sessions, partner_id)]


def test_a_partner_is_created_with_its_settings_and_audited(
    sessions: sessionmaker[Session], targets: None
) -> None:
    made = registry.create_partner(
        sessions,
        name="  Acme Supply ",
        isa=["zz:ACME", "01:123456789"],
        gs_id="ACMEGS",
        role="supplier",
        status="draft",
        erp="prod",
        test_erp="qa",
        actor="token:abc",
        x12_version="005010",
        delimiters={"element": "|", "segment": "~"},
        documents_in=["855", "856", "invoice"],
        documents_out="850",
        ack="999",
        ta1_policy="always",
        ack_window_minutes="90",
        duplicate_policy="warn",
        channels={"api": {"enabled": True, "outbox": False}},
        contacts=[{"name": "Dana", "email": "dana@acme.example", "phone": None}],
        notes="EDI team in Leeds\nmornings only",
    )
    assert made["name"] == "Acme Supply" and made["role"] == "supplier"
    assert made["isa"] == ["ZZ:ACME", "01:123456789"]
    assert {i["gs_id"] for i in made["identities"]} == {"ACMEGS"}
    assert (made["erp"], made["test_erp"], made["status"]) == ("prod", "qa", "draft")
    assert made["delimiters"] == {"element": "|", "segment": "~"}
    assert made["documents_in"] == ["855", "856", "invoice"] and made["documents_out"] == ["850"]
    assert (made["ack"], made["ta1_policy"], made["ack_window_minutes"]) == ("999", "always", 90)
    assert made["duplicate_policy"] == "warn" and made["x12_version"] == "005010"
    assert made["channels"] == {"api": {"enabled": True, "outbox": False}}
    assert made["contacts"] == [{"name": "Dana", "email": "dana@acme.example"}]
    assert made["last_activity_at"] is None
    # found by id and by name, the same
    assert registry.get_partner(sessions, made["id"]) == registry.get_partner(
        sessions, "Acme Supply"
    )
    (entry,) = registry.audit_history(sessions, made["id"])
    assert entry["action"] == "partner.created" and entry["actor"] == "token:abc"
    assert entry["changes"]["isa"] == ["ZZ:ACME", "01:123456789"]
    assert entry["changes"]["test_erp"] == "qa"


def test_the_contract_add_partner_keeps_its_defaults(sessions: sessionmaker[Session]) -> None:
    made = add_partner(sessions, name="Northwind", isa="ZZ:NWHARDWARE")
    assert made["status"] == "testing" and made["role"] == "customer" and made["erp"] is None
    with pytest.raises(CommandError, match="already exists"):
        add_partner(sessions, name="Northwind", isa="ZZ:OTHER")


def test_an_isa_identity_belongs_to_one_partner_only(sessions: sessionmaker[Session]) -> None:
    north = registry.create_partner(sessions, name="Northwind", isa="ZZ:NWHARDWARE")
    south = registry.create_partner(sessions, name="Southwind", isa="ZZ:SOUTH")
    with pytest.raises(ConflictError, match="ZZ:NWHARDWARE already belongs to partner Northwind"):
        registry.create_partner(sessions, name="Copycat", isa="zz:NWHARDWARE")
    with pytest.raises(ConflictError, match="already belongs to partner Northwind"):
        registry.add_identity(sessions, south["id"], isa="ZZ:NWHARDWARE")
    both = registry.add_identity(sessions, north["id"], isa="01:987654321", gs_id="NWGS")
    assert both["isa"] == ["ZZ:NWHARDWARE", "01:987654321"]
    with sessions() as s:
        assert s.execute(select(func.count()).select_from(PartnerIdentity)).scalar() == 3
        assert s.execute(select(func.count()).select_from(Partner)).scalar() == 2
    # the last identity of a partner in testing stays; another may go
    with pytest.raises(ConflictError, match="only identity"):
        registry.remove_identity(sessions, "Southwind", "ZZ:SOUTH")
    left = registry.remove_identity(sessions, "Northwind", "01:987654321")
    assert left["isa"] == ["ZZ:NWHARDWARE"]
    with pytest.raises(NotFoundError, match="no identity"):
        registry.remove_identity(sessions, "Northwind", str(uuid.uuid4()))
    assert audit_actions(sessions, north["id"]) == [
        "partner.identity_removed",
        "partner.identity_added",
        "partner.created",
    ]


STATUSES = list(PartnerStatus)


@pytest.mark.parametrize("old", STATUSES, ids=lambda s: s.value)
def test_the_lifecycle_allows_exactly_its_steps(
    sessions: sessionmaker[Session], old: PartnerStatus
) -> None:
    made = registry.create_partner(sessions, name="P", isa="ZZ:P", status="testing")
    with sessions.begin() as s:  # put it in `old` directly, whatever the path there
        row = s.get(Partner, uuid.UUID(made["id"]))
        assert row is not None
        row.status = old
    for new in STATUSES:
        if new in ALLOWED[old]:
            moved = registry.set_status(sessions, made["id"], new.value, reason="because")
            assert moved["status"] == new.value
            entry = registry.audit_history(sessions, made["id"])[0]
            assert entry["changes"] == {"status": [old.value, new.value], "reason": "because"}
            registry_row_back(sessions, made["id"], old)
        else:
            with pytest.raises(ConflictError) as caught:
                registry.set_status(sessions, made["id"], new.value)
            if new == old:
                assert str(caught.value) == f"partner P is already {old.value}"
            else:
                assert f"cannot go from {old.value} to {new.value}: " in str(caught.value)
                assert f"(from {old.value} it may go to " in str(caught.value)
    assert ALLOWED[PartnerStatus.SUSPENDED] == {PartnerStatus.TESTING, PartnerStatus.LIVE}


def registry_row_back(sessions: sessionmaker[Session], partner_id: str, old: PartnerStatus) -> None:
    with sessions.begin() as s:
        row = s.get(Partner, uuid.UUID(partner_id))
        assert row is not None
        row.status = old


def test_unknown_statuses_and_partners_are_named(sessions: sessionmaker[Session]) -> None:
    registry.create_partner(sessions, name="P", isa="ZZ:P")
    with pytest.raises(InvalidError, match="status must be one of draft, testing, live, susp"):
        registry.set_status(sessions, "P", "paused")
    with pytest.raises(InvalidError, match="status must be one of draft, testing, live,"):
        registry.create_partner(sessions, name="Q", isa="ZZ:Q", status="suspended")
    with pytest.raises(NotFoundError, match="no partner Nobody"):
        registry.set_status(sessions, "Nobody", "live")


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"delimiters": {"element": "*", "segment": "*"}}, "delimiters", "all be different"),
        ({"delimiters": {"element": "A"}}, "delimiters", "not a letter, digit or space"),
        ({"delimiters": {"tab": "\t"}}, "delimiters", "unknown tab"),
        ({"channels": {"as2": {"password": "x"}}}, "channels", "secrets are not kept"),
        ({"channels": {"fax": {}}}, "channels", "unknown channel fax"),
        ({"channels": {"api": {"url": "a\x00b"}}}, "channels", "control character"),
        ({"contacts": [{"email": "not-an-email"}]}, "contacts", "is not an email address"),
        ({"contacts": [{"phone": "123"}]}, "contacts", "needs a name or an email"),
        ({"ack_window_minutes": 0}, "ack_window_minutes", "between 1 and 43200"),
        ({"ack_window_minutes": "soon"}, "ack_window_minutes", "whole number"),
        ({"documents_in": ["PO"]}, "documents_in", "neither an X12 transaction set id"),
        ({"x12_version": "003050"}, "x12_version", "one of 004010, 005010"),
        ({"ack": "998"}, "ack", "one of 997, 999, none"),
        ({"ta1_policy": "sometimes"}, "ta1_policy", "on_request, always, never"),
        ({"duplicate_policy": "ignore"}, "duplicate_policy", "reject, warn, accept"),
        ({"name": "   "}, "name", "must not be empty"),
        ({"name": "a\x07b"}, "name", "control character"),
        ({"colour": "red"}, "colour", "unknown partner setting colour"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(
    sessions: sessionmaker[Session], changes: dict[str, Any], field: str, words: str
) -> None:
    made = registry.create_partner(sessions, name="P", isa="ZZ:P")
    with pytest.raises(InvalidError, match=words) as caught:
        registry.update_partner(sessions, made["id"], **changes)
    assert caught.value.field == field
    assert registry.get_partner(sessions, made["id"]) == made  # nothing changed
    assert audit_actions(sessions, made["id"]) == ["partner.created"]


@pytest.mark.parametrize("isa", ["ZZACME", "Z:ACME", "ZZ:", "ZZ:1234567890123456", "ZZ:A*B"])
def test_bad_isa_identities_are_refused(sessions: sessionmaker[Session], isa: str) -> None:
    with pytest.raises(InvalidError, match="expected QUALIFIER:ID"):
        registry.create_partner(sessions, name="P", isa=isa)


def test_an_update_audits_only_what_changed(sessions: sessionmaker[Session], targets: None) -> None:
    made = registry.create_partner(sessions, name="P", isa="ZZ:P", erp="prod")
    after = registry.update_partner(
        sessions, "P", actor="user:alice", test_erp="qa", erp="prod", ack="997", notes="hi"
    )
    assert after["test_erp"] == "qa" and after["notes"] == "hi"
    entry = registry.audit_history(sessions, made["id"])[0]
    assert entry["actor"] == "user:alice" and entry["action"] == "partner.updated"
    assert entry["changes"] == {"test_erp": ["prod", "qa"], "notes": [None, "hi"]}
    # the same values again: no change, no entry
    registry.update_partner(sessions, "P", test_erp="qa", notes="hi")
    assert audit_actions(sessions, made["id"]) == ["partner.updated", "partner.created"]
    cleared = registry.update_partner(sessions, "P", test_erp=None, erp="", notes="")
    assert (cleared["test_erp"], cleared["erp"], cleared["notes"]) == (None, None, None)
    with pytest.raises(ConflictError, match="no ERP target named 'staging'"):
        registry.update_partner(sessions, "P", test_erp="staging")
    registry.create_partner(sessions, name="Q", isa="ZZ:Q")
    with pytest.raises(ConflictError, match="a partner named 'Q' already exists"):
        registry.update_partner(sessions, "P", name="Q")


def test_a_failed_change_leaves_no_audit_entry(sessions: sessionmaker[Session]) -> None:
    registry.create_partner(sessions, name="P", isa="ZZ:P", status="draft")
    with pytest.raises(ConflictError):
        registry.set_status(sessions, "P", "live")
    with sessions() as s:
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar() == 1


def test_the_list_shows_last_activity_and_filters(sessions: sessionmaker[Session]) -> None:
    north = registry.create_partner(sessions, name="Northwind", isa="ZZ:N", status="live")
    registry.create_partner(sessions, name="Acme", isa="ZZ:A", role="supplier")
    with sessions.begin() as s:
        first = create_message(
            s,
            direction=Direction.INBOUND,
            channel=Channel.API,
            payload=b"one",
            partner_id=uuid.UUID(north["id"]),
        )
        last = create_message(
            s,
            direction=Direction.OUTBOUND,
            channel=Channel.API,
            payload=b"two",
            partner_id=uuid.UUID(north["id"]),
            received_at=first.received_at.replace(year=first.received_at.year + 1),
        )
        newest = last.received_at.isoformat()
    listed = registry.list_partners(sessions)
    assert [p["name"] for p in listed] == ["Acme", "Northwind"]
    assert listed[0]["last_activity_at"] is None and listed[1]["last_activity_at"] == newest
    assert [p["name"] for p in registry.list_partners(sessions, status="live")] == ["Northwind"]
    assert [p["name"] for p in registry.list_partners(sessions, role="supplier")] == ["Acme"]
    with pytest.raises(InvalidError, match="role must be one of"):
        registry.list_partners(sessions, role="vendor")


def test_partner_keys_are_issued_rotated_and_revoked_with_an_audit_trail(
    sessions: sessionmaker[Session],
) -> None:
    north = registry.create_partner(sessions, name="Northwind", isa="ZZ:N")
    south = registry.create_partner(sessions, name="Southwind", isa="ZZ:S")
    issued = keys.issue_partner_key(sessions, "Northwind", label="connector", actor="cli")
    assert issued["key"].startswith("gwk_") and issued["partner_id"] == north["id"]
    rotated = keys.rotate_partner_key(sessions, north["id"], issued["id"])
    assert rotated["replaces"] == issued["id"] and rotated["label"] == "connector"
    with sessions.begin() as s:
        assert authenticate(s, issued["key"]) is None  # the old key stopped at once
        assert authenticate(s, rotated["key"]) is not None
    with pytest.raises(NotFoundError, match="Southwind has no key"):
        keys.revoke_partner_key(sessions, south["id"], rotated["id"])  # not South's key
    revoked = keys.revoke_partner_key(sessions, "Northwind", rotated["prefix"])
    assert revoked["revoked_at"] and not revoked["already_revoked"]
    again = keys.revoke_partner_key(sessions, "Northwind", rotated["id"])
    assert again["already_revoked"]
    listed = keys.list_partner_keys(sessions, "Northwind")
    assert [k["id"] for k in listed] == [issued["id"], rotated["id"]]
    assert all("key" not in k and k["revoked_at"] for k in listed)
    # the CONTRACT's `keys issue` / `keys revoke` write the same entries
    third = cli_issue_key(sessions, "Northwind")
    revoke(sessions, third["key"])
    actions = audit_actions(sessions, north["id"])
    assert actions == [
        "partner.key_revoked",
        "partner.key_issued",
        "partner.key_revoked",
        "partner.key_rotated",
        "partner.key_issued",
        "partner.created",
    ]
    history = registry.audit_history(sessions, north["id"])
    assert history[3]["changes"] == {"key": [issued["prefix"], rotated["prefix"]]}
    assert all(issued["key"] not in str(e) and rotated["key"] not in str(e) for e in history)


def test_two_status_changes_at_once_apply_one_after_the_other(
    sessions: sessionmaker[Session],
) -> None:
    """Both ask draft -> testing at the same moment: the partner's row is locked, so the second
    sees the first's result ("already testing") instead of both passing the check."""
    registry.create_partner(sessions, name="P", isa="ZZ:P", status="draft")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def move() -> None:
        barrier.wait()
        try:
            registry.set_status(sessions, "P", "testing")
            outcomes.append("moved")
        except ConflictError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=move) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["moved"] + ["partner P is already testing"] * 3
    assert (
        audit_actions(sessions, registry.get_partner(sessions, "P")["id"]).count("partner.status")
        == 1
    )


def test_the_api_format_is_checked(sessions: sessionmaker[Session]) -> None:
    registry.create_partner(sessions, name="P", isa="ZZ:P")
    assert registry.update_partner(sessions, "P", channels={"api": {"format": "ubl"}})[
        "channels"
    ] == {"api": {"format": "ubl"}}
    with pytest.raises(InvalidError, match=r"channels\.api\.format must be one of x12, ubl, xml"):
        registry.update_partner(sessions, "P", channels={"api": {"format": "edifact"}})
