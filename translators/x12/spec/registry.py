"""Every transaction set spec the gateway knows, by (set id, version).

Versions are the two the specs are written for, "004010" and "005010"; callers map a GS08 such
as "004010VICS" or "005010X231A1" to one of them before asking.
"""

from __future__ import annotations

from translators.x12.spec.model import TransactionSetSpec
from translators.x12.spec.sets import ts810, ts850, ts855, ts856, ts997, ts999

__all__ = ["SPECS", "get_spec"]

SPECS: dict[tuple[str, str], TransactionSetSpec] = {
    (spec.id, spec.version): spec
    for spec in (
        ts850.SPEC_004010,
        ts850.SPEC_005010,
        ts855.SPEC_004010,
        ts855.SPEC_005010,
        ts856.SPEC_004010,
        ts856.SPEC_005010,
        ts810.SPEC_004010,
        ts810.SPEC_005010,
        ts997.SPEC_004010,
        ts997.SPEC_005010,
        ts999.SPEC_005010,
    )
}


def get_spec(set_id: str, version: str) -> TransactionSetSpec | None:
    """The spec of ``set_id`` ("850") in ``version`` ("004010"), or None when there is none."""
    return SPECS.get((set_id, version))
