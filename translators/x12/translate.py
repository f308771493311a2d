"""X12 bytes -> canonical documents, streamed.

`translate` wraps the envelope events of `read_interchanges` with the readers: every accepted
transaction set becomes a canonical document (a JSON-ready dict) as soon as its SE is read;
every rejected set, envelope error and leniency becomes a `Problem` an operator can read. The
ack generator consumes the same events, so what is translated and what is acknowledged never
disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from translators.errors import EnvelopeError, SegmentError, TranslatorError
from translators.x12.interchange import (
    Event,
    GroupEnd,
    InterchangeEnd,
    InterchangeStart,
    SetRead,
    TransactionSet,
    read_interchanges,
)
from translators.x12.readers import read_set


@dataclass(slots=True)
class Document:
    """A translated transaction set."""

    data: dict[str, Any]
    transaction_set: TransactionSet


@dataclass(slots=True)
class Problem:
    """A rejected set or envelope, or a forgiven defect (``severity`` "warning")."""

    severity: str  # "error" | "warning"
    message: str
    error: TranslatorError | None = None


TranslateItem = Document | Problem


def _set_problems(ts: TransactionSet) -> list[Problem]:
    problems = [Problem("warning" if e.forgiven else "error", str(e), e) for e in ts.set_errors]
    problems.extend(Problem("warning" if e.forgiven else "error", str(e), e) for e in ts.errors)
    return problems


def translate_events(events: Iterator[Event]) -> Iterator[TranslateItem | Event]:
    """Interleave documents and problems with the underlying envelope events."""
    for ev in events:
        if isinstance(ev, SetRead):
            ts = ev.transaction_set
            if ts.accepted:
                try:
                    data = read_set(ts)
                except TranslatorError as exc:
                    # The spec let it through but the reader could not map it (e.g. an
                    # impossible date): reject the set rather than emit half a document.
                    if isinstance(exc, SegmentError):
                        exc.control = ts.control
                        ts.errors.append(exc)
                    else:
                        ts.set_errors.append(
                            EnvelopeError(str(exc), level="set", control=ts.control, set_code="5")
                        )
                    ev.group.sets[-1].accepted = False
                    ev.group.sets[-1].codes = ts.ak5_codes()
                    ev.group.sets[-1].errors = ts.errors
                    yield from _set_problems(ts)
                else:
                    yield from _set_problems(ts)
                    yield Document(data, ts)
            else:
                yield from _set_problems(ts)
        elif isinstance(ev, GroupEnd):
            for e in ev.group.errors:
                yield Problem("warning" if e.forgiven else "error", str(e), e)
        elif isinstance(ev, InterchangeEnd):
            for e in ev.interchange.errors:
                yield Problem("warning" if e.forgiven else "error", str(e), e)
        elif isinstance(ev, InterchangeStart):
            ic = ev.interchange
            for w in ic.warnings:
                yield Problem("warning", f"ISA13 {ic.control_number}: {w}")
        yield ev


def translate(stream: BinaryIO, *, strict: bool = False) -> Iterator[TranslateItem]:
    """Documents and problems of an X12 stream, in file order.

    Raises `UnusableInputError` when the stream is not X12 at all.
    """
    for item in translate_events(read_interchanges(stream, strict=strict)):
        if isinstance(item, Document | Problem):
            yield item
