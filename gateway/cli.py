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
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from translators.errors import GatewayError

if TYPE_CHECKING:  # the CLI imports what a command needs when it runs
    from gateway.pipeline import Runtime

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


# -- the store: registry and pipeline commands ------------------------------------------------

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="embedded data directory (default: $GATEWAY_DATA_DIR or ./var)"
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]

erp_app = typer.Typer(help="ERP targets the gateway delivers to.", no_args_is_help=True)
partners_app = typer.Typer(help="Trading partners.", no_args_is_help=True)
identities_app = typer.Typer(help="Our own identities (ISA, AS2).", no_args_is_help=True)
app.add_typer(erp_app, name="erp")
app.add_typer(partners_app, name="partners")
app.add_typer(identities_app, name="identities")
keys_app = typer.Typer(help="API keys for partners and ERPs.", no_args_is_help=True)
tokens_app = typer.Typer(help="Operator tokens for the HTTP API.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(tokens_app, name="tokens")
users_app = typer.Typer(help="Web UI accounts (admin, operator, read-only).", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _store(data_dir: Path | None) -> Any:
    """Settings, migrated store and session factory for a command."""
    import os

    from gateway.settings import Settings
    from gateway.store import make_session_factory, migrate
    from gateway.wiring import engine_for

    if data_dir is not None:
        os.environ["GATEWAY_DATA_DIR"] = str(data_dir)
    settings = Settings()
    if not settings.is_postgresql:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.database_url)
    return settings, make_session_factory(engine_for(settings.database_url))


def _print(record: Any, as_json: bool) -> None:
    import orjson

    if as_json:
        sys.stdout.write(orjson.dumps(record, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    rows = record if isinstance(record, list) else [record]
    if not rows:
        sys.stdout.write("(none)\n")
        return
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(_cell(r.get(k))) for r in rows)) for k in keys}
    sys.stdout.write("  ".join(k.ljust(widths[k]) for k in keys).rstrip() + "\n")
    for r in rows:
        sys.stdout.write("  ".join(_cell(r.get(k)).ljust(widths[k]) for k in keys).rstrip() + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    return str(value)


@erp_app.command("add")
@guarded
def erp_add(
    name: Annotated[str, typer.Argument(help="target name; `default` is the fallback route")],
    webhook: Annotated[str | None, typer.Option(help="POST documents to this URL")] = None,
    secret: Annotated[str | None, typer.Option(help="HMAC secret for the webhook")] = None,
    folder: Annotated[Path | None, typer.Option(help="write one JSON file per document")] = None,
    demo: Annotated[bool, typer.Option(help="the built-in demo ERP")] = False,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Register an ERP target (exactly one of --webhook, --folder, --demo)."""
    from gateway.commands.admin import add_erp_target
    from gateway.secretbox import SecretBox

    chosen = [o for o in (webhook, folder, demo or None) if o]
    if len(chosen) != 1:
        raise fail("give exactly one of --webhook URL, --folder DIR, --demo")
    if secret and not webhook:
        raise fail("--secret is for --webhook targets")
    settings, sessions = _store(data_dir)
    if webhook:
        kind, config = "webhook", {"url": webhook}
    elif folder:
        kind, config = "folder", {"directory": str(folder.resolve())}
    else:
        kind, config = "demo", {}
    box = SecretBox(settings.secret_key.get_secret_value())
    record = add_erp_target(sessions, box, name=name, kind=kind, config=config, secret=secret)
    _print(record, as_json)


@identities_app.command("add")
@guarded
def identities_add(
    isa: Annotated[str, typer.Option(help="QUALIFIER:ID, e.g. ZZ:ACMEDIST")],
    as2_id: Annotated[str | None, typer.Option(help="our AS2 id")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Register one of our own identities (a distributor may have several)."""
    from gateway.commands.admin import add_identity

    _, sessions = _store(data_dir)
    _print(add_identity(sessions, isa=isa, as2_id=as2_id), as_json)


# -- partners: the registry (partners/registry.py) -------------------------------------------

PartnerRef = Annotated[str, typer.Argument(help="the partner's id or name")]
ListOption = Annotated[
    str | None, typer.Option(help="comma-separated X12 set ids or canonical types ('' clears)")
]


def _show(record: dict[str, Any], as_json: bool) -> None:
    """One record, a field per line (a partner has too many fields for one table row)."""
    if as_json:
        _print(record, True)
        return
    import orjson

    width = max(len(k) for k in record)
    for key, value in record.items():
        if key == "identities":
            continue  # `isa` says it shorter
        if isinstance(value, dict) or (value and isinstance(value, list) and key != "isa"):
            text = orjson.dumps(value).decode()
        else:
            text = _cell(value)
        sys.stdout.write(f"{key.ljust(width)}  {text}\n".rstrip() + "\n")


def _contacts(values: list[str] | None) -> list[dict[str, str]] | None:
    """`--contact 'name=Dana Whitfield,email=edi@nw.example'` (repeatable)."""
    if not values:
        return None
    contacts = []
    for value in values:
        pairs = [p.partition("=") for p in value.split(",") if p.strip()]
        if any(not sep for _, sep, _ in pairs):
            raise fail(
                f"--contact {value!r}: expected key=value pairs, e.g. name=Dana,email=d@x.io"
            )
        contacts.append({k.strip(): v.strip() for k, _, v in pairs})
    return contacts


def _channels(value: str | None) -> dict[str, Any] | None:
    import json

    if value is None:
        return None
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise fail(f"--channels is not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise fail('--channels must be a JSON object, e.g. {"api": {"enabled": true}}')
    return parsed


def _delimiters(value: str | None) -> dict[str, str] | None:
    if value is None:
        return None
    if len(value) != 4:
        raise fail("--delimiters takes 4 characters: element, component, repetition, segment")
    return dict(zip(("element", "component", "repetition", "segment"), value, strict=True))


def _settings(**options: Any) -> dict[str, Any]:
    """The registry settings given on the command line (None: not given)."""
    return {k: v for k, v in options.items() if v is not None}


DelimitersOpt = Annotated[
    str | None,
    typer.Option(help="4 characters: element, component, repetition, segment (e.g. '*>^~')"),
]
X12VersionOpt = Annotated[str | None, typer.Option(help="004010 or 005010 for what we send")]
AckOpt = Annotated[str | None, typer.Option(help="997, 999 or none")]
Ta1Opt = Annotated[str | None, typer.Option(help="on_request, always or never")]
WindowOpt = Annotated[int | None, typer.Option(help="minutes it has to acknowledge ours")]
DupOpt = Annotated[str | None, typer.Option(help="reject, warn or accept")]
ContactOpt = Annotated[
    list[str] | None, typer.Option("--contact", help="name=...,email=...,phone=...,role=...")
]
ChannelsOpt = Annotated[str | None, typer.Option(help='JSON, e.g. {"api": {"enabled": true}}')]
NotesOpt = Annotated[str | None, typer.Option(help="free text for the operators")]
TestErpOpt = Annotated[
    str | None, typer.Option("--test-erp", help="ERP target for its test documents")
]


@partners_app.command("add")
@guarded
def partners_add(
    name: Annotated[str, typer.Argument(help="the partner's name")],
    isa: Annotated[list[str], typer.Option(help="QUALIFIER:ID the partner sends as (repeatable)")],
    role: Annotated[str, typer.Option(help="customer, supplier or both")] = "customer",
    status: Annotated[str, typer.Option(help="draft, testing or live")] = "testing",
    erp: Annotated[str | None, typer.Option(help="ERP target (default: `default`)")] = None,
    test_erp: TestErpOpt = None,
    gs_id: Annotated[str | None, typer.Option(help="GS02 application id it sends as")] = None,
    x12_version: X12VersionOpt = None,
    delimiters: DelimitersOpt = None,
    ack: AckOpt = None,
    ta1_policy: Ta1Opt = None,
    ack_window_minutes: WindowOpt = None,
    duplicate_policy: DupOpt = None,
    documents_in: ListOption = None,
    documents_out: ListOption = None,
    contact: ContactOpt = None,
    channels: ChannelsOpt = None,
    notes: NotesOpt = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Register a trading partner; prints it with its id."""
    from partners.registry import create_partner

    _, sessions = _store(data_dir)
    record = create_partner(
        sessions,
        name=name,
        isa=isa,
        role=role,
        status=status,
        erp=erp,
        test_erp=test_erp,
        gs_id=gs_id,
        **_settings(
            x12_version=x12_version,
            delimiters=_delimiters(delimiters),
            ack=ack,
            ta1_policy=ta1_policy,
            ack_window_minutes=ack_window_minutes,
            duplicate_policy=duplicate_policy,
            documents_in=documents_in,
            documents_out=documents_out,
            contacts=_contacts(contact),
            channels=_channels(channels),
            notes=notes,
        ),
    )
    _show(record, as_json)


@partners_app.command("update")
@guarded
def partners_update(
    partner: PartnerRef,
    name: Annotated[str | None, typer.Option(help="a new name")] = None,
    role: Annotated[str | None, typer.Option(help="customer, supplier or both")] = None,
    erp: Annotated[str | None, typer.Option(help="ERP target ('' for `default`)")] = None,
    test_erp: Annotated[
        str | None, typer.Option("--test-erp", help="test ERP target ('' clears)")
    ] = None,
    x12_version: X12VersionOpt = None,
    delimiters: DelimitersOpt = None,
    ack: AckOpt = None,
    ta1_policy: Ta1Opt = None,
    ack_window_minutes: WindowOpt = None,
    duplicate_policy: DupOpt = None,
    documents_in: ListOption = None,
    documents_out: ListOption = None,
    contact: Annotated[
        list[str] | None,
        typer.Option("--contact", help="replaces the contacts: name=...,email=... (repeatable)"),
    ] = None,
    no_contacts: Annotated[bool, typer.Option("--no-contacts", help="remove all")] = False,
    channels: ChannelsOpt = None,
    notes: Annotated[str | None, typer.Option(help="free text ('' clears)")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Change a partner's settings; each change goes into its audit history."""
    from partners.registry import update_partner

    changes = _settings(
        name=name,
        role=role,
        erp=erp,
        test_erp=test_erp,
        x12_version=x12_version,
        delimiters=_delimiters(delimiters),
        ack=ack,
        ta1_policy=ta1_policy,
        ack_window_minutes=ack_window_minutes,
        duplicate_policy=duplicate_policy,
        documents_in=documents_in,
        documents_out=documents_out,
        contacts=[] if no_contacts else _contacts(contact),
        channels=_channels(channels),
        notes=notes,
    )
    if not changes:
        raise fail("nothing to change: give at least one option (see --help)")
    _, sessions = _store(data_dir)
    _show(update_partner(sessions, partner, **changes), as_json)


@partners_app.command("list")
@guarded
def partners_list(
    status: Annotated[str | None, typer.Option(help="only partners in this status")] = None,
    role: Annotated[str | None, typer.Option(help="only customers, suppliers or both")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Partners by name, with their identities, routes and last activity."""
    from partners.registry import list_partners

    _, sessions = _store(data_dir)
    found = list_partners(sessions, status=status, role=role)
    if as_json:
        _print(found, True)
        return
    columns = ("id", "name", "role", "status", "isa", "erp", "test_erp", "last_activity_at")
    _print([{k: p[k] for k in columns} for p in found], False)


@partners_app.command("show")
@guarded
def partners_show(
    partner: PartnerRef,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """One partner's settings, identities and last activity."""
    from partners.registry import get_partner

    _, sessions = _store(data_dir)
    _show(get_partner(sessions, partner), as_json)


@partners_app.command("set-status")
@guarded
def partners_set_status(
    partner: PartnerRef,
    status: Annotated[str, typer.Argument(help="draft, testing, live or suspended")],
    reason: Annotated[str | None, typer.Option(help="why (kept in the audit history)")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Move a partner along draft -> testing -> live, suspend or reinstate it."""
    from partners.registry import set_status

    _, sessions = _store(data_dir)
    _show(set_status(sessions, partner, status, reason=reason), as_json)


@partners_app.command("add-identity")
@guarded
def partners_add_identity(
    partner: PartnerRef,
    isa: Annotated[str, typer.Option(help="QUALIFIER:ID it also sends as")],
    gs_id: Annotated[str | None, typer.Option(help="GS02 application id")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Another ISA identity for a partner (one partner per ISA identity)."""
    from partners.registry import add_identity

    _, sessions = _store(data_dir)
    _show(add_identity(sessions, partner, isa=isa, gs_id=gs_id), as_json)


@partners_app.command("remove-identity")
@guarded
def partners_remove_identity(
    partner: PartnerRef,
    identity: Annotated[str, typer.Argument(help="QUALIFIER:ID or the identity's id")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Remove one of a partner's ISA identities."""
    from partners.registry import remove_identity

    _, sessions = _store(data_dir)
    _show(remove_identity(sessions, partner, identity), as_json)


@partners_app.command("audit")
@guarded
def partners_audit(
    partner: PartnerRef,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="newest entries")] = 200,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """A partner's audit history, newest first: who changed what, when."""
    from partners.registry import audit_history

    _, sessions = _store(data_dir)
    entries = audit_history(sessions, partner, limit=limit)
    if as_json:
        _print(entries, True)
        return
    import orjson

    rows = [
        {"at": e["at"], "actor": e["actor"], "action": e["action"], "changes": e["changes"]}
        for e in entries
    ]
    for row in rows:
        row["changes"] = orjson.dumps(row["changes"]).decode()
    _print(rows, False)


@partners_app.command("keys")
@guarded
def partners_keys(
    partner: PartnerRef,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """A partner's API keys, revoked ones too (never the keys themselves)."""
    from partners.keys import list_partner_keys

    _, sessions = _store(data_dir)
    _print(list_partner_keys(sessions, partner), as_json)


@partners_app.command("rotate-key")
@guarded
def partners_rotate_key(
    partner: PartnerRef,
    key: Annotated[str, typer.Argument(help="the key to replace: its id, prefix or the key")],
    data_dir: DataDir = None,
) -> None:
    """Revoke a partner key and issue its successor; prints {"key": ...} once."""
    from partners.keys import rotate_partner_key

    _, sessions = _store(data_dir)
    _print(rotate_partner_key(sessions, partner, key), True)


@keys_app.command("issue")
@guarded
def keys_issue(
    partner_id: Annotated[str | None, typer.Argument(help="the partner's id (or name)")] = None,
    erp: Annotated[str | None, typer.Option(help="issue an ERP key for this target")] = None,
    label: Annotated[str | None, typer.Option(help="a note to recognise the key by")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Issue a partner key (PARTNER_ID) or an ERP key (--erp NAME); shown once, stored hashed."""
    from gateway.commands.keys import issue_erp_key, issue_partner_key

    if (partner_id is None) == (erp is None):
        raise fail("give either PARTNER_ID or --erp NAME")
    _, sessions = _store(data_dir)
    if erp is not None:
        record = issue_erp_key(sessions, erp, label=label)
    else:
        assert partner_id is not None
        record = issue_partner_key(sessions, partner_id, label=label)
    _print(record, True)  # CONTRACT.md: prints {"key": ...} (JSON) once


@keys_app.command("revoke")
@guarded
def keys_revoke(
    key: Annotated[str, typer.Argument(help="the key, its prefix or its id")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Revoke a key or token; it stops working at once."""
    from gateway.commands.keys import revoke as revoke_key

    _, sessions = _store(data_dir)
    _print(revoke_key(sessions, key), as_json)


@keys_app.command("list")
@guarded
def keys_list(
    all_keys: Annotated[bool, typer.Option("--all", help="include revoked keys")] = False,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Keys and tokens (never the secrets)."""
    from gateway.commands.keys import list_keys

    _, sessions = _store(data_dir)
    _print(list_keys(sessions, include_revoked=all_keys), as_json)


@tokens_app.command("issue")
@guarded
def tokens_issue(
    role: Annotated[str, typer.Option(help="admin, operator or read-only")],
    label: Annotated[str | None, typer.Option(help="a note to recognise the token by")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Issue an operator token with a role; shown once, stored hashed."""
    from gateway.commands.keys import issue_operator_token

    _, sessions = _store(data_dir)
    _print(issue_operator_token(sessions, role, label=label), True)  # {"key": ...}, once


@users_app.command("add")
@guarded
def users_add(
    username: Annotated[str, typer.Argument(help="the login name")],
    role: Annotated[str, typer.Option(help="admin, operator or read-only")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a web UI account; the password is read from stdin (one line)."""
    from gateway.users import add_user

    password = sys.stdin.readline().rstrip("\r\n")
    _, sessions = _store(data_dir)
    _print(add_user(sessions, username, password, role=role), as_json)


@users_app.command("list")
@guarded
def users_list(data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """Web UI accounts with their role and last login."""
    from gateway.users import list_users

    _, sessions = _store(data_dir)
    _print(list_users(sessions), as_json)


@app.command("trace")
@guarded
def trace_command(
    query: Annotated[str, typer.Argument(help="ISA13, GS06, ST02, PO, invoice or shipment number")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Every message, set and document matching QUERY, with its timeline and the PO chain."""
    from gateway.tracing import trace

    _, sessions = _store(data_dir)
    with sessions() as session:
        found = trace(
            session,
            control_number=query,
            po_number=query,
            invoice_number=query,
            shipment_id=query,
        )
    if as_json:
        _print(found, True)
        return
    messages = found.get("messages", [])
    if not messages:
        sys.stdout.write(f"nothing matches {query!r}\n")
        raise typer.Exit(1)
    for m in messages:
        docs = ", ".join(
            f"{d.get('document_type')} {d.get('status')}" for d in m.get("documents", [])
        )
        sys.stdout.write(
            f"message {m.get('id')}  {m.get('direction', '')} {m.get('status')}"
            f"  matched by {', '.join(m.get('matched_by', []))}\n"
        )
        if docs:
            sys.stdout.write(f"  documents: {docs}\n")
        for event in m.get("timeline", []):
            sys.stdout.write(f"  {event.get('at')}  {event.get('kind')}\n")
    chain = found.get("chain", [])
    if chain:
        sys.stdout.write("business chain:\n")
        for link in chain:
            what = link.get("document_type") or link.get("kind") or "?"
            sys.stdout.write(f"  {link.get('at')}  {what}  {link.get('status')}\n")


@app.command("dead-letters")
@guarded
def dead_letters(data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """Dead-lettered steps with their last error."""
    from gateway.commands.admin import dead_steps

    _, sessions = _store(data_dir)
    _print(dead_steps(sessions), as_json)


def _sweeper_runtime(data_dir: Path | None) -> Runtime:
    """A runtime for a command that only changes the store: the steps it creates or revives are
    not dispatched here - the running gateway's sweeper picks them up."""
    from gateway.pipeline import CollectingDispatcher
    from gateway.wiring import build_runtime

    settings, _ = _store(data_dir)
    return build_runtime(dispatcher=CollectingDispatcher(), settings=settings)


@app.command()
@guarded
def replay(
    step_ids: Annotated[list[str], typer.Argument(help="dead-lettered step ids")],
    data_dir: DataDir = None,
) -> None:
    """Give dead-lettered steps fresh attempts; the running gateway's sweeper picks them up."""
    from gateway.commands.admin import parse_ids
    from gateway.pipeline import replay as replay_steps

    ids = parse_ids(step_ids)
    done = replay_steps(_sweeper_runtime(data_dir), ids)
    missed = [str(i) for i in ids if i not in done]
    sys.stdout.write(f"replayed {len(done)} step(s)\n")
    if missed:
        raise fail(f"not dead-lettered (nothing done): {', '.join(missed)}", 1)


@app.command()
@guarded
def reprocess(
    message_id: Annotated[str, typer.Argument(help="a rejected or held-duplicate inbound message")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Take a rejected or held-duplicate message through intake again, as a new message linked
    to the original; the running gateway's sweeper picks its steps up."""
    from gateway.commands.admin import parse_ids
    from gateway.pipeline.actions import reprocess as reprocess_message

    (wanted,) = parse_ids([message_id])
    done = reprocess_message(_sweeper_runtime(data_dir), wanted, actor="cli")
    _print(
        {
            "original_id": str(done.original_id),
            "message_id": str(done.message_id),
            "status": done.status.value,
            "reason": done.reason,
        },
        as_json,
    )
    if done.status.value in ("rejected", "duplicate"):
        raise typer.Exit(1)


@app.command()
@guarded
def resend(
    message_id: Annotated[str, typer.Argument(help="an outbound message the partner picked up")],
    data_dir: DataDir = None,
) -> None:
    """Put an outbound message back in the partner's API mailbox (same bytes)."""
    from gateway.commands.admin import parse_ids
    from gateway.pipeline.actions import resend as resend_message

    (wanted,) = parse_ids([message_id])
    resend_message(_sweeper_runtime(data_dir), wanted, actor="cli")
    sys.stdout.write(f"message {wanted} is back in the partner's mailbox\n")


@app.command()
@guarded
def submit(
    file: Annotated[Path, typer.Argument(help="an X12 file, as if a partner had sent it")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Take a file in through intake and run its steps here and now (no worker needed)."""
    from gateway.commands.admin import read_payload
    from gateway.pipeline import CollectingDispatcher, intake, run_step
    from gateway.store.enums import Channel
    from gateway.wiring import build_runtime

    payload = read_payload(file)
    settings, _ = _store(data_dir)
    dispatcher = CollectingDispatcher()
    runtime = build_runtime(dispatcher=dispatcher, settings=settings)
    result = intake(runtime, payload=payload, channel=Channel.CLI, channel_meta={"file": file.name})
    while dispatcher.pending:
        run_step(runtime, dispatcher.pending.pop(0))
    from gateway.store.models import Message

    with runtime.sessions() as session:
        message = session.get(Message, result.message_id)
        assert message is not None
        record = {
            "message_id": str(message.id),
            "status": message.status.value,
            "reason": message.status_reason,
            "documents": len(message.documents),
        }
    _print(record, as_json)
    if message.status.value in ("rejected", "failed", "duplicate"):
        raise typer.Exit(1)


@app.command()
@guarded
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port")] = 8080,
    sftp_port: Annotated[int, typer.Option(help="SFTP port (when the SFTP channel lands)")] = 2222,
    data_dir: DataDir = None,
    json_logs: Annotated[bool, typer.Option("--json-logs", help="JSON log lines")] = False,
) -> None:
    """The whole gateway in one process: SQLite, in-process worker and beat, demo ERP, HTTP API."""
    import uvicorn

    from gateway.api import create_app
    from gateway.embedded import prepare, start_background
    from gateway.logs import configure_logging

    configure_logging(json=json_logs, level="INFO")
    settings = prepare(data_dir)
    embedded = start_background(settings)
    api = create_app(runtime=embedded.runtime, settings=settings)
    base = f"http://{host}:{port}"
    dd = f" --data-dir {data_dir}" if data_dir else ""
    sys.stderr.write(
        f"edi-gateway (embedded) - data in {settings.data_dir}\n"
        f"  HTTP API       {base}/api/v1   (OpenAPI: {base}/openapi.json, health: {base}/health)\n"
        f"  web UI         {base}/   (an account: echo PASSWORD | "
        f"edi-gateway users add NAME --role admin{dd})\n"
        f"  ERP route      'default' = the demo ERP (answers each 850 with an 855)\n"
        f"  get started    edi-gateway partners add NAME --isa ZZ:THEIRID{dd}\n"
        f"                 edi-gateway keys issue NAME{dd}\n"
        f"                 curl -H 'Authorization: Bearer KEY' \\\n"
        f"                      -H 'Content-Type: application/edi-x12' --data-binary @po.x12 \\\n"
        f"                      {base}/api/v1/inbound\n"
        f"  SFTP           not in this version (port {sftp_port} stays free)\n"
    )
    try:
        uvicorn.run(api, host=host, port=port, log_config=None, access_log=False)
    finally:
        embedded.stop()


@app.command()
@guarded
def web(
    host: Annotated[str, typer.Option(help="address to listen on")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="HTTP port")] = 8080,
    json_logs: Annotated[bool, typer.Option("--json-logs/--text-logs")] = True,
) -> None:
    """The production web process (DATABASE_URL, REDIS_URL, GATEWAY_SECRET_KEY set)."""
    import uvicorn

    from celery_app.app import app as celery
    from gateway.api import create_app
    from gateway.logs import configure_logging
    from gateway.pipeline.dispatch import BatchingDispatcher
    from gateway.settings import get_settings
    from gateway.store import migrate
    from gateway.wiring import build_runtime

    configure_logging(json=json_logs, level="INFO")
    settings = get_settings()
    if not settings.redis_url:
        raise fail("`web` is the production process: set REDIS_URL (or run `edi-gateway serve`)")
    migrate(settings.database_url)  # idempotent; an advisory lock serialises concurrent starts
    runtime = build_runtime(dispatcher=BatchingDispatcher(celery), settings=settings)
    uvicorn.run(
        create_app(runtime=runtime, settings=settings),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
    )


from gateway.commands import xml_cli  # noqa: E402  (registers onto partners_app, defined above)

xml_cli.register(partners_app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
