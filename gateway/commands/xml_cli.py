"""`edi-gateway partners xslt ...` and `partners cxml-credential`: the XML onboarding commands,
kept apart from `gateway.cli` and registered onto its `partners` group by `register`.

No `from __future__ import annotations` here: typer reads the parameter annotations, which
name `gateway.cli` aliases bound inside `register`, so they must be evaluated eagerly.
"""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer


def register(partners_app: typer.Typer) -> None:
    from gateway import cli

    xslt_app = typer.Typer(
        help="Partner-specific XML: XSLT mappings to and from canonical XML.",
        no_args_is_help=True,
    )
    partners_app.add_typer(xslt_app, name="xslt")

    @xslt_app.command("add")
    @cli.guarded
    def xslt_add(
        partner: cli.PartnerRef,
        file: Annotated[Path, typer.Argument(help="the XSLT file")],
        direction: Annotated[
            str, typer.Option(help="in: partner XML -> canonical; out: canonical -> partner XML")
        ],
        document_type: Annotated[
            str, typer.Option(help="order, order_ack, ship_notice or invoice")
        ],
        root: Annotated[
            str | None,
            typer.Option(help="inbound: the root element (local name) of the partner's XML"),
        ] = None,
        data_dir: cli.DataDir = None,
        as_json: cli.JsonFlag = False,
    ) -> None:
        """Keep (or replace) a partner's XSLT; it is checked against the sandbox's rules."""
        from partners.xml_mappings import add_xslt

        if not file.is_file():
            raise cli.fail(f"{file}: no such file")
        _, sessions = cli._store(data_dir)
        view = add_xslt(
            sessions,
            partner,
            direction=direction,
            document_type=document_type,
            xslt=file.read_bytes(),
            root=root,
        )
        cli._print(view, as_json)

    @xslt_app.command("list")
    @cli.guarded
    def xslt_list(
        partner: Annotated[str | None, typer.Argument(help="only this partner")] = None,
        data_dir: cli.DataDir = None,
        as_json: cli.JsonFlag = False,
    ) -> None:
        """The XSLT mappings kept in the registry."""
        from partners.xml_mappings import list_xslts

        _, sessions = cli._store(data_dir)
        cli._print(list_xslts(sessions, partner), as_json)

    @partners_app.command("cxml-credential")
    @cli.guarded
    def cxml_credential(
        partner: cli.PartnerRef,
        domain: Annotated[str, typer.Option(help="Credential domain, e.g. NetworkID")],
        identity: Annotated[str, typer.Option(help="Credential Identity")],
        data_dir: cli.DataDir = None,
        as_json: cli.JsonFlag = False,
    ) -> None:
        """The cXML From/Sender credential a partner sends as; the SharedSecret is read from
        standard input (one line) and stored only as a scrypt hash."""
        from partners.cxml_credentials import set_cxml_credential

        secret = sys.stdin.readline().rstrip("\r\n")
        _, sessions = cli._store(data_dir)
        view: Any = set_cxml_credential(
            sessions, partner, domain=domain, identity=identity, secret=secret
        )
        cli._print(view, as_json)
