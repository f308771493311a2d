"""The `edi-gateway` command line: the composition root for command-line use.

Commands never print a traceback: every error the gateway raises on purpose is a
`GatewayError` with a readable message, and anything else is reported as an internal error
with a one-line hint, exit code 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from translators.errors import GatewayError

app = typer.Typer(
    help="EDI and B2B partner gateway: translate, acknowledge and route X12 and cXML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> typer.Exit:
    sys.stderr.write(f"edi-gateway: {message}\n")
    return typer.Exit(code)


def guarded(func: F) -> F:
    """Turn any error into a message and an exit code instead of a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except GatewayError as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"{exc.filename or ''}: {exc.strerror or exc}") from None
        except Exception as exc:  # the last line of defence: never a traceback
            raise fail(f"internal error ({type(exc).__name__}: {exc}); please report it") from None

    return wrapper  # type: ignore[return-value]


def _open_input(path: Path) -> Any:
    if str(path) == "-":
        return sys.stdin.buffer
    if not path.is_file():
        raise fail(f"{path}: no such file")
    return path.open("rb")


@app.command()
@guarded
def translate(
    file: Annotated[Path, typer.Argument(help="X12 or XML file ('-' for standard input)")],
    strict: Annotated[bool, typer.Option(help="reject what lenient reading forgives")] = False,
) -> None:
    """Translate a file into canonical JSON documents (stdout), problems on stderr."""
    from gateway.commands.translate import run_translate

    with _open_input(file) as stream:
        code = run_translate(stream, str(file), strict=strict, out=sys.stdout.buffer)
    raise typer.Exit(code)


@app.command()
@guarded
def ack(
    file: Annotated[Path, typer.Argument(help="X12 file to acknowledge")],
    kind: Annotated[str, typer.Option(help="997 or 999")] = "997",
    control_number: Annotated[int, typer.Option(help="ISA13/GS06 of the first ack")] = 1,
    date: Annotated[str | None, typer.Option(help="YYYYMMDD for ISA09/GS04")] = None,
    time: Annotated[str | None, typer.Option(help="HHMM for ISA10/GS05")] = None,
) -> None:
    """Write the 997/999 (and TA1) acknowledgments for a file to stdout."""
    from gateway.commands.translate import run_ack

    if kind not in ("997", "999"):
        raise fail(f"--kind must be 997 or 999, not {kind!r}")
    when = datetime.now()
    try:
        if date:
            when = when.replace(year=int(date[:4]), month=int(date[4:6]), day=int(date[6:8]))
            if len(date) != 8:
                raise ValueError
        if time:
            if len(time) != 4:
                raise ValueError
            when = when.replace(hour=int(time[:2]), minute=int(time[2:4]))
    except ValueError:
        raise fail("--date must be YYYYMMDD and --time HHMM") from None
    if not 1 <= control_number <= 999_999_999:
        raise fail("--control-number must be between 1 and 999999999")
    with _open_input(file) as stream:
        code = run_ack(
            stream,
            str(file),
            kind=kind,
            control_number=control_number,
            when=when,
            out=sys.stdout.buffer,
        )
    raise typer.Exit(code)


@app.command()
@guarded
def render(
    file: Annotated[Path, typer.Argument(help="canonical JSON: a document or an array")],
    sender_id: Annotated[str, typer.Option(help="ISA06/GS02")],
    receiver_id: Annotated[str, typer.Option(help="ISA08/GS03")],
    sender_qualifier: Annotated[str, typer.Option(help="ISA05")] = "ZZ",
    receiver_qualifier: Annotated[str, typer.Option(help="ISA07")] = "ZZ",
    version: Annotated[str, typer.Option(help="004010 or 005010")] = "004010",
    control_number: Annotated[int, typer.Option(help="ISA13 = GS06")] = 1,
) -> None:
    """Render canonical JSON as one X12 interchange (stdout)."""
    from gateway.commands.translate import run_render

    if version not in ("004010", "005010"):
        raise fail(f"--version must be 004010 or 005010, not {version!r}")
    if not 1 <= control_number <= 999_999_999:
        raise fail("--control-number must be between 1 and 999999999")
    with _open_input(file) as stream:
        data = stream.read()
    code = run_render(
        data,
        str(file),
        sender=(sender_qualifier, sender_id),
        receiver=(receiver_qualifier, receiver_id),
        version=version,
        control_number=control_number,
        out=sys.stdout.buffer,
    )
    raise typer.Exit(code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
