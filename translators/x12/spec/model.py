"""Transaction sets described as data.

A spec is plain, frozen data: an element dictionary (type and length per data element number),
segment definitions (which elements in which order, their usage, code lists and syntax notes)
and transaction set structures (segments and loops with usage and repeats). One engine
(`translators.x12.validator`) validates every set against its spec, and the writers use the same
specs to know what they may emit.

Authoring helpers keep the spec files compact and readable:

    BEG = seg("BEG", "Beginning Segment for Purchase Order",
              el("353", M, codes=PURPOSE_CODES), el("92", M), el("324", M), el("328"),
              el("373", M), ...)
    STRUCTURE = (
        s("ST", M), s("BEG", M),
        loop("N1", 200, s("N1", M), s("N2", max_use=2), s("N3", max_use=2), s("N4")),
        ...
    )
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Usage = Literal["M", "O", "X"]
M: Usage = "M"
O: Usage = "O"
X: Usage = "X"  # conditional: governed by a syntax note; treated as optional by position

#: X12 simple data element types the engine knows. ``N0``..``N9`` are implied-decimal numerics.
ELEMENT_TYPES = frozenset({"AN", "ID", "R", "DT", "TM", "B"} | {f"N{i}" for i in range(10)} | {"N"})


@dataclass(frozen=True, slots=True)
class ElementDef:
    """A data element of the dictionary: number, type and length limits."""

    ref: str
    type: str
    min_len: int
    max_len: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class ComponentUse:
    """One component of a composite element (e.g. C040 inside REF04)."""

    ref: str
    usage: Usage = O
    codes: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class CompositeDef:
    ref: str
    name: str
    components: tuple[ComponentUse, ...]


@dataclass(frozen=True, slots=True)
class ElementUse:
    """An element at a position of a segment.

    ``ref`` is a data element number ("353") or, when ``composite`` is set, the composite's id
    ("C040"). ``codes`` restricts an ID element to a code list; ``None`` means any value of the
    right type and length. ``repeat`` > 1 allows the repetition separator (005010 and later).
    """

    ref: str
    usage: Usage = O
    codes: frozenset[str] | None = None
    composite: CompositeDef | None = None
    repeat: int = 1


SyntaxKind = Literal["P", "R", "C", "E", "L"]


@dataclass(frozen=True, slots=True)
class SyntaxNote:
    """An X12 syntax note over element positions (1-based), e.g. P0607 or C0405.

    P paired: all or none present. R required: at least one present. E exclusion: at most one
    present. C conditional: if the first is present, all the others are. L list conditional: if
    the first is present, at least one of the others is.
    """

    kind: SyntaxKind
    positions: tuple[int, ...]

    @classmethod
    def parse(cls, text: str) -> SyntaxNote:
        """``"P0607"`` -> SyntaxNote("P", (6, 7)); positions are two digits each."""
        kind, digits = text[0], text[1:]
        if kind not in "PRCEL" or len(digits) % 2 or not digits.isdigit():
            raise ValueError(f"bad syntax note {text!r}")
        positions = tuple(int(digits[i : i + 2]) for i in range(0, len(digits), 2))
        return cls(kind, positions)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class SegmentDef:
    id: str
    name: str
    elements: tuple[ElementUse, ...]
    notes: tuple[SyntaxNote, ...] = ()


@dataclass(frozen=True, slots=True)
class SegUse:
    """A segment at a position of a transaction set structure."""

    id: str
    usage: Usage = O
    max_use: int = 1


@dataclass(frozen=True, slots=True)
class LoopUse:
    """A loop: its first child is the loop's trigger segment and must be a SegUse."""

    id: str
    max_repeat: int
    children: tuple[SegUse | LoopUse, ...]
    usage: Usage = O

    def __post_init__(self) -> None:
        first = self.children[0] if self.children else None
        if not isinstance(first, SegUse):
            raise ValueError(f"loop {self.id} must start with a segment")


@dataclass(frozen=True, slots=True)
class TransactionSetSpec:
    """A transaction set in one version: ``id`` "850", ``version`` "004010"."""

    id: str
    version: str
    functional_id: str
    name: str
    structure: tuple[SegUse | LoopUse, ...]
    segments: dict[str, SegmentDef]
    elements: dict[str, ElementDef]
    source: str = ""
    composites: dict[str, CompositeDef] = field(default_factory=dict)


# -- authoring helpers ---------------------------------------------------------------------


def el(
    ref: str,
    usage: Usage = O,
    *,
    codes: Iterable[str] | None = None,
    composite: CompositeDef | None = None,
    repeat: int = 1,
) -> ElementUse:
    return ElementUse(
        ref,
        usage,
        frozenset(codes) if codes is not None else None,
        composite,
        repeat,
    )


def comp(ref: str, name: str, *components: ComponentUse) -> CompositeDef:
    return CompositeDef(ref, name, tuple(components))


def cel(ref: str, usage: Usage = O, *, codes: Iterable[str] | None = None) -> ComponentUse:
    return ComponentUse(ref, usage, frozenset(codes) if codes is not None else None)


def seg(segment_id: str, name: str, *elements: ElementUse, notes: str = "") -> SegmentDef:
    """``notes`` is a space-separated list such as ``"P0304 C0605"``."""
    return SegmentDef(
        segment_id,
        name,
        tuple(elements),
        tuple(SyntaxNote.parse(n) for n in notes.split()),
    )


def s(segment_id: str, usage: Usage = O, max_use: int = 1) -> SegUse:
    return SegUse(segment_id, usage, max_use)


def loop(loop_id: str, max_repeat: int, *children: SegUse | LoopUse, usage: Usage = O) -> LoopUse:
    return LoopUse(loop_id, max_repeat, tuple(children), usage)


UNBOUNDED = 10**9  # ">1" in the standard
