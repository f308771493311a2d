"""The streaming tokenizer: delimiters from the ISA, leniency with warnings, bounded memory."""

from __future__ import annotations

import io

import pytest

from translators.errors import EnvelopeError, UnusableInputError
from translators.x12.tokenizer import IsaHeader, Tokenizer, TokenWarning

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*240101*1200*U*00401*000000001*0*P*>~"
)
BODY = (
    "GS*PO*SENDER*RECEIVER*20240101*1200*1*X*004010~ST*850*0001~BEG*00*SA*PO1**20240101~"
    "SE*3*0001~GE*1*1~IEA*1*000000001~"
)


def tokens(text: str | bytes, **kw: object) -> list[IsaHeader | TokenWarning | str]:
    data = text.encode() if isinstance(text, str) else text
    return list(Tokenizer(io.BytesIO(data), **kw))  # type: ignore[arg-type]


def segments(text: str | bytes, **kw: object) -> list[str]:
    return [t for t in tokens(text, **kw) if isinstance(t, str)]


def header(text: str | bytes, **kw: object) -> IsaHeader:
    h = tokens(text, **kw)[0]
    assert isinstance(h, IsaHeader)
    return h


def test_fixed_length_isa_gives_delimiters() -> None:
    h = header(ISA + BODY)
    assert len(ISA) == 106 and ISA[104] == ">"  # ISA16 at 104, terminator at 105
    assert (h.delimiters.element, h.delimiters.component, h.delimiters.segment) == ("*", ">", "~")
    assert h.delimiters.repetition is None
    assert h.control_number == "000000001" and h.version == "00401"
    assert h.warnings == []
    assert segments(ISA + BODY)[0] == BODY.split("~")[0]
    assert len(segments(ISA + BODY)) == 6


def test_repetition_separator_from_00501() -> None:
    isa = ISA.replace("*U*00401*", "*^*00501*")
    assert header(isa + BODY).delimiters.repetition == "^"


def test_bom_crlf_and_indentation_are_accepted_without_warning() -> None:
    pretty = "\ufeff" + ISA + "\r\n" + "\r\n".join("   " + s + "~" for s in BODY.split("~") if s)
    h = header(pretty)
    assert h.warnings == []
    assert segments(pretty) == segments(ISA + BODY)


def test_newline_only_terminator() -> None:
    text = ISA[:-1] + "\n" + "\n".join(s for s in BODY.split("~") if s) + "\n"
    h = header(text)
    assert h.delimiters.segment == "\n"
    assert segments(text) == segments(ISA + BODY)


def test_unpadded_isa_is_read_with_a_warning_and_refused_when_strict() -> None:
    short = "ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*240101*1200*U*00401*1*0*P*>~"
    h = header(short + BODY)
    assert h.elements[5] == "SENDER" and h.elements[15] == ">"
    assert any("not fixed-length" in w for w in h.warnings)
    with pytest.raises(EnvelopeError, match="fixed-length"):
        tokens(short + BODY, strict=True)


def test_nbsp_padding_is_trimmed_with_a_warning() -> None:
    isa = ISA.replace("SENDER         ", "SENDER" + "\xa0" * 9)
    h = header(isa + BODY)
    assert h.elements[5] == "SENDER"
    assert any("NBSP" in w for w in h.warnings)


def test_missing_isa16_is_detected() -> None:
    isa = ISA[:-2] + "~\n"  # ISA16 left out: "~" right after ISA15
    text = isa + "\n".join(s + "~" for s in BODY.split("~") if s)
    h = header(text)
    assert h.delimiters.segment == "~"
    assert any("ISA16 is missing" in w for w in h.warnings)


def test_several_interchanges_with_different_delimiters() -> None:
    second = ISA.replace("*", "|").replace(">~", ">\x1c")
    body2 = BODY.replace("*", "|").replace("~", "\x1c")
    toks = tokens(ISA + BODY + "\n" + second + body2)
    headers = [t for t in toks if isinstance(t, IsaHeader)]
    assert [h.delimiters.element for h in headers] == ["*", "|"]
    assert [h.delimiters.segment for h in headers] == ["~", "\x1c"]
    assert len([t for t in toks if isinstance(t, str)]) == 12


def test_multibyte_terminator_and_latin1_bytes() -> None:
    text = (ISA[:-1] + "…" + BODY.replace("~", "…")).encode("utf-8")
    text = text.replace(b"PO1", b"P\xe91")  # not UTF-8: read as Latin-1, nothing lost
    segs = segments(text)
    assert segs[2] == "BEG*00*SA*P\xe91**20240101"


def test_missing_terminator_before_a_line_break_is_split_with_a_warning() -> None:
    body = BODY.replace("BEG*00*SA*PO1**20240101~", "REF*DP*1\nBEG*00*SA*PO1**20240101~")
    toks = tokens(ISA + body)
    assert any(isinstance(t, TokenWarning) for t in toks)
    assert "REF*DP*1" in toks and "BEG*00*SA*PO1**20240101" in toks


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"Tk9OIEVESSBGSUxFISAasadsdfs", b"<xml/>", b"ISA", b"ISA*00*short"],
)
def test_unusable_input_is_refused_clearly(data: bytes) -> None:
    with pytest.raises(UnusableInputError):
        tokens(data)


def test_streaming_across_chunk_boundaries() -> None:
    body = "".join(f"REF*DP*{i}~" for i in range(5000))
    text = ISA + "GS*PO*S*R*20240101*1200*1*X*004010~ST*850*0001~" + body + "SE*1*0001~"
    whole = segments(text)
    for size in (7, 64, 1000):
        assert segments(text.encode(), chunk_size=size) == whole


def _wrap(text: str, width: int) -> str:
    return "\n".join(text[i : i + width] for i in range(0, len(text), width)) + "\n"


@pytest.mark.parametrize("width", [80, 132])
@pytest.mark.parametrize("chunk_size", [16, 4096])
def test_a_file_wrapped_at_fixed_width_reads_as_unwrapped(width: int, chunk_size: int) -> None:
    body = BODY.replace("BEG*00*SA*PO1**20240101~", "BEG*00*SA*PO1**20240101~" * 20)
    flat = segments(ISA + body)
    wrapped = _wrap(ISA + body, width)
    toks = tokens(wrapped.replace("\n", "\r\n"), chunk_size=chunk_size)
    # the breaks fall inside ISA, inside values and between segments alike: none is data
    assert [t for t in toks if isinstance(t, str)] == flat
    warnings = [t.message for t in toks if isinstance(t, TokenWarning)]
    assert warnings == [f"file wrapped at {width} columns: line breaks inside segments removed"]


def test_strict_mode_refuses_a_wrapped_file() -> None:
    with pytest.raises(EnvelopeError, match="wrapped at 80 columns"):
        tokens(_wrap(ISA + BODY * 3, 80), strict=True)


def test_lines_ending_in_the_terminator_are_not_taken_for_a_wrap() -> None:
    # Every segment on its own line, padded to one width: line breaks after terminators.
    lines = [(seg + "~").ljust(60) for seg in (ISA[:-1], *BODY.rstrip("~").split("~"))]
    text = "\n".join(line.rstrip() for line in lines) + "\n"
    assert segments(text) == segments(ISA + BODY)
    assert not any(isinstance(t, TokenWarning) for t in tokens(text))
