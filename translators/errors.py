"""Errors raised by the translators.

Every error the gateway raises descends from one root, so a boundary (the CLI, an HTTP handler,
a Celery task) can turn any of them into a readable message instead of a traceback::

    GatewayError
    └── TranslatorError
        ├── UnusableInputError      the input is not X12 or XML at all (exit 2)
        ├── EnvelopeError           ISA/IEA, GS/GE, ST/SE structure, counts, control numbers
        ├── SegmentError            a segment or element of a set breaks its spec
        ├── UnsupportedError        a transaction set or cXML type the gateway does not handle
        ├── XmlError                hostile or malformed XML
        └── RenderError             a canonical document cannot be written as X12/XML

Errors carry their context as keyword arguments (control numbers, segment id and position,
element position, the bad value and the acknowledgment code they turn into), and `str()` of
an error is a sentence an operator can act on.
"""

from __future__ import annotations

from dataclasses import dataclass


class GatewayError(Exception):
    """Root of every error the gateway raises on purpose."""


class TranslatorError(GatewayError):
    pass


class UnusableInputError(TranslatorError):
    """The input as a whole cannot be read: not X12, not XML, no readable ISA."""


class XmlError(TranslatorError):
    """Malformed, hostile (entities, external DTDs) or oversized XML."""


class RenderError(TranslatorError):
    """A canonical document cannot be written, e.g. a value contains a delimiter."""

    def __init__(self, message: str, *, field: str | None = None, value: str | None = None):
        super().__init__(message)
        self.field = field
        self.value = value


class UnsupportedError(TranslatorError):
    """A transaction set or cXML request type the gateway does not translate."""

    def __init__(self, message: str, *, kind: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class ControlNumbers:
    """Where in the envelope something happened; each part is None when unknown."""

    interchange: str | None = None  # ISA13
    group: str | None = None  # GS06
    transaction_set: str | None = None  # ST02
    set_id: str | None = None  # ST01

    def describe(self) -> str:
        parts = []
        if self.interchange is not None:
            parts.append(f"ISA13 {self.interchange}")
        if self.group is not None:
            parts.append(f"GS06 {self.group}")
        if self.transaction_set is not None:
            label = f"ST {self.set_id} " if self.set_id else "ST02 "
            parts.append(f"{label}{self.transaction_set}")
        return ", ".join(parts)


class EnvelopeError(TranslatorError):
    """An interchange, group or set envelope is wrong.

    ``level`` says which envelope: "interchange" errors carry a TA1 note code (``ta1_code``,
    e.g. "001" control numbers differ), "group" errors an AK905/IK905 code (``group_code``),
    "set" errors an AK502/IK502 code (``set_code``).
    """

    def __init__(
        self,
        message: str,
        *,
        level: str,
        control: ControlNumbers | None = None,
        ta1_code: str | None = None,
        group_code: str | None = None,
        set_code: str | None = None,
        segment_id: str | None = None,
        segment_position: int | None = None,
        forgiven: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.forgiven = forgiven  # lenient mode: noted (acknowledged as "E"), not rejected
        self.level = level
        self.control = control or ControlNumbers()
        self.ta1_code = ta1_code
        self.group_code = group_code
        self.set_code = set_code
        self.segment_id = segment_id
        self.segment_position = segment_position

    def __str__(self) -> str:
        where = self.control.describe()
        seg = ""
        if self.segment_id:
            seg = f"segment {self.segment_id}"
            if self.segment_position is not None:
                seg += f" #{self.segment_position}"
        prefix = ", ".join(p for p in (where, seg) if p)
        return f"{prefix}: {self.message}" if prefix else self.message


class SegmentError(TranslatorError):
    """A segment or element of a transaction set breaks the set's spec.

    Codes follow the 997 (AK304 segment error code, AK403 element error code) and map 1:1 to
    the 999 (IK304/IK403) codes. Positions are 1-based; ``segment_position`` counts from ST = 1.
    """

    def __init__(
        self,
        message: str,
        *,
        segment_id: str,
        segment_position: int,
        segment_error_code: str | None = "8",
        loop_id: str | None = None,
        element_position: int | None = None,
        component_position: int | None = None,
        repetition_position: int | None = None,
        element_reference: str | None = None,
        element_error_code: str | None = None,
        bad_value: str | None = None,
        control: ControlNumbers | None = None,
        forgiven: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.forgiven = forgiven  # lenient mode: noted (acknowledged as "E"), not rejected
        self.segment_id = segment_id
        self.segment_position = segment_position
        self.segment_error_code = segment_error_code
        self.loop_id = loop_id
        self.element_position = element_position
        self.component_position = component_position
        self.repetition_position = repetition_position
        self.element_reference = element_reference
        self.element_error_code = element_error_code
        self.bad_value = bad_value
        self.control = control or ControlNumbers()

    def location(self) -> str:
        loc = f"segment {self.segment_position} ({self.segment_id})"
        if self.element_position is not None:
            loc += f", element {self.segment_id}{self.element_position:02d}"
            if self.component_position is not None:
                loc += f"-{self.component_position}"
        return loc

    def __str__(self) -> str:
        where = self.control.describe()
        text = f"{self.location()}: {self.message}"
        if self.bad_value is not None:
            text += f" (value {self.bad_value!r})"
        return f"{where}: {text}" if where else text

    def as_ack_error(self) -> dict[str, object]:
        """The canonical `functional_ack` error entry this error acknowledges as."""
        return {
            "segment_id": self.segment_id,
            "segment_position": self.segment_position,
            "loop_id": self.loop_id,
            "segment_error_code": self.segment_error_code,
            "element_position": self.element_position,
            "component_position": self.component_position,
            "element_reference": self.element_reference,
            "element_error_code": self.element_error_code,
            "bad_value": self.bad_value,
        }
