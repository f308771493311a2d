"""The canonical functional acknowledgment (X12 997 and 999)."""

from __future__ import annotations

from typing import Literal

from translators.canonical.common import CanonicalModel, Count, Document


class AckError(CanonicalModel):
    """One AK4/IK4 with its AK3/IK3 context, or an AK3/IK3 alone (element fields None)."""

    segment_id: str | None = None
    segment_position: Count | None = None
    loop_id: str | None = None
    segment_error_code: str | None = None
    element_position: Count | None = None
    component_position: Count | None = None
    element_reference: str | None = None
    element_error_code: str | None = None
    bad_value: str | None = None


class AckedSet(CanonicalModel):
    """An AK2/IK2 loop: one acknowledged transaction set and its AK5/IK5 verdict."""

    transaction_set: str | None = None
    control_number: str | None = None
    status_code: str | None = None
    status: str | None = None
    codes: list[str] = []  # AK502-AK506 / IK502-IK506, in order
    errors: list[AckError] = []


class AckCounts(CanonicalModel):
    """AK902-AK904: sets included in the group, received, and accepted."""

    included: Count | None = None
    received: Count | None = None
    accepted: Count | None = None


class FunctionalAck(Document):
    document_type: Literal["functional_ack"] = "functional_ack"
    acknowledged_functional_id: str | None = None
    acknowledged_group_control_number: str | None = None
    status_code: str | None = None
    status: str | None = None
    counts: AckCounts | None = None
    transaction_sets: list[AckedSet] = []
