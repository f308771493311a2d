"""Transaction set structures, one module per set (``ts850`` ... ``ts999``).

Each module writes the standard's table (heading, detail and summary flattened in order, loops
named by their first segment as the standard names them) and builds one ``TransactionSetSpec``
per version with ``make_spec``, which keeps only the segments, elements and composites the
structure uses. ``registry.SPECS`` collects them.
"""

from __future__ import annotations

from collections.abc import Iterator

from translators.x12.spec.elements import ELEMENTS_004010, ELEMENTS_005010
from translators.x12.spec.model import CompositeDef, LoopUse, SegUse, TransactionSetSpec
from translators.x12.spec.segments import (
    COMPOSITES_004010,
    COMPOSITES_005010,
    SEGMENTS_004010,
    SEGMENTS_005010,
)

__all__ = ["iter_segment_uses", "make_spec"]

Structure = tuple[SegUse | LoopUse, ...]


def iter_segment_uses(structure: Structure) -> Iterator[SegUse]:
    """Every SegUse of a structure, depth first, in table order."""
    for node in structure:
        if isinstance(node, SegUse):
            yield node
        else:
            yield from iter_segment_uses(node.children)


def make_spec(
    *,
    set_id: str,
    version: str,
    functional_id: str,
    name: str,
    structure: Structure,
    source: str,
) -> TransactionSetSpec:
    """A spec holding only the segments, elements and composites ``structure`` uses."""
    v5 = version == "005010"
    all_segments = SEGMENTS_005010 if v5 else SEGMENTS_004010
    all_elements = ELEMENTS_005010 if v5 else ELEMENTS_004010
    all_composites = COMPOSITES_005010 if v5 else COMPOSITES_004010
    segments = {use.id: all_segments[use.id] for use in iter_segment_uses(structure)}
    refs: set[str] = set()
    composites: dict[str, CompositeDef] = {}
    for definition in segments.values():
        for use in definition.elements:
            if use.composite is None:
                refs.add(use.ref)
            else:
                composites[use.ref] = all_composites[use.ref]
                refs.update(component.ref for component in use.composite.components)
    return TransactionSetSpec(
        id=set_id,
        version=version,
        functional_id=functional_id,
        name=name,
        structure=structure,
        segments=segments,
        elements={ref: all_elements[ref] for ref in sorted(refs) if ref in all_elements},
        source=source,
        composites=composites,
    )
