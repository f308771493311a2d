"""The operator web UI's pages. Routes read and change through the service layers (partners/,
gateway.tracing, gateway.pipeline, web.services); templates only render what they are given.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gateway.erp.circuit import CircuitBreakers
from gateway.erp.circuit import breakers as process_breakers
from gateway.pipeline import replay
from gateway.pipeline.actions import (
    REPROCESSABLE,
    RESENDABLE,
    ActionRefused,
    MessageNotFound,
    reprocess,
    resend,
)
from gateway.store.models import FunctionalGroup, Interchange, Message
from gateway.tracing import chain, message_detail
from gateway.users import close_session, login, open_session
from partners import keys as partner_keys
from partners import registry
from partners.errors import NotFoundError, RegistryError
from web import services, x12view
from web.pages import bar_chart, render
from web.security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Changer,
    CheckedForm,
    CurrentUser,
    Forbidden,
    new_login_token,
    runtime_of,
    safe_next,
    sessions_of,
    set_cookie,
)

router = APIRouter(include_in_schema=False)

PAGE = HTMLResponse


class PageNotFound(Exception):
    def __init__(self, what: str):
        self.what = what


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PageNotFound(what) from None


# -- login ------------------------------------------------------------------------------------


@router.get("/login", response_class=PAGE)
def login_page(request: Request, next: str = "/") -> Response:
    token = new_login_token()
    response = render(request, "login.html", {"next": safe_next(next), "login_csrf": token})
    set_cookie(request, response, LOGIN_COOKIE, token, max_age=3600)
    return response


@router.post("/login", response_class=PAGE)
async def login_submit(request: Request) -> Response:
    form = await request.form()
    given = form.get("csrf_token")
    expected = request.cookies.get(LOGIN_COOKIE)
    next_url = safe_next(str(form.get("next") or "/"))
    if not expected or not isinstance(given, str) or given != expected:
        raise Forbidden("the login form expired: reload the page and log in again")
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    from starlette.concurrency import run_in_threadpool

    user = await run_in_threadpool(login, sessions_of(request), username, password)
    if user is None:
        token = new_login_token()
        failed = render(
            request,
            "login.html",
            {
                "next": next_url,
                "login_csrf": token,
                "username": username,
                "error": "Wrong username or password. After 5 failures in a row the account "
                "is locked for 15 minutes.",
            },
            status_code=401,
        )
        set_cookie(request, failed, LOGIN_COOKIE, token, max_age=3600)
        return failed
    token, _csrf = await run_in_threadpool(open_session, sessions_of(request), user.id)
    response = RedirectResponse(next_url, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, user: CurrentUser, form: CheckedForm) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        close_session(sessions_of(request), token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- dashboard --------------------------------------------------------------------------------


def _breakers(request: Request) -> CircuitBreakers:
    found = getattr(runtime_of(request).erp, "breakers", None)
    return found if isinstance(found, CircuitBreakers) else process_breakers


#: The dashboard's numbers are computed at most this often per process ("refresh" forces it):
#: with millions of documents they take most of a second, and every operator's screen asks.
DASHBOARD_TTL = 15.0


@router.get("/", response_class=PAGE)
def dashboard(request: Request, user: CurrentUser, refresh: bool = False) -> Response:
    cache: dict[str, Any] = request.app.state.__dict__.setdefault("web_dashboard", {})
    now = time.monotonic()
    data = cache.get("data")
    if refresh or data is None or now - cache.get("at", 0.0) > DASHBOARD_TTL:
        with sessions_of(request)() as session:
            data = services.dashboard(session)
        cache.update(data=data, at=now)
    health = _breakers(request).health(data["erp_targets"])
    context = {"d": data, "health": list(health.values()), "chart": bar_chart(data["chart"])}
    return render(request, "dashboard.html", context)


@router.get("/lists/{name}", response_class=PAGE)
def named_list(
    request: Request,
    user: CurrentUser,
    name: str,
    partner: str | None = None,
    type: str | None = None,
) -> Response:
    if name not in services.LISTS:
        raise PageNotFound(f"list {name}")
    partner_id = _uuid(partner, "partner") if partner else None
    with sessions_of(request)() as session:
        rows = services.named_list(session, name, partner_id=partner_id, document_type=type)
    return render(
        request,
        "list.html",
        {"title": services.LISTS[name], "rows": rows, "q": ""},
    )


# -- trace and messages -----------------------------------------------------------------------


@router.get("/trace", response_class=PAGE)
def trace_page(request: Request, user: CurrentUser, q: str = "") -> Response:
    q = q.strip()[:200]
    with sessions_of(request)() as session:
        ids = services.find_messages(session, q) if q else []
        if len(ids) == 1:
            return RedirectResponse(f"/messages/{ids[0]}?q={_quote(q)}", status_code=303)
        rows = services.message_rows(session, ids)
    return render(
        request,
        "list.html",
        {"title": f"Messages matching {q!r}" if q else "Trace", "rows": rows, "q": q},
    )


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _message(request: Request, message_id: str) -> dict[str, Any]:
    mid = _uuid(message_id, "message")
    with sessions_of(request)() as session:
        message = session.execute(
            select(Message)
            .where(Message.id == mid)
            .options(
                selectinload(Message.documents),
                selectinload(Message.interchanges)
                .selectinload(Interchange.groups)
                .selectinload(FunctionalGroup.transaction_sets),
            )
        ).scalar_one_or_none()
        if message is None:
            raise PageNotFound(f"message {message_id}")
        detail = message_detail(session, message)
        extras = services.message_extras(session, message)
        pos = sorted({d["po_number"] for d in detail["documents"] if d["po_number"]})
        links = chain(session, po_numbers=pos)
        partner = (
            services.partner_names(session, [message.partner_id]).get(message.partner_id)
            if message.partner_id
            else None
        )
        raw = x12view.render(message.blob.data, [s["errors"] for s in extras["sets"]])
    return {
        "m": detail,
        "x": extras,
        "chain": links,
        "raw": raw,
        "partner": partner,
        "pos": pos,
    }


@router.get("/messages/{message_id}", response_class=PAGE)
def message_page(
    request: Request,
    user: CurrentUser,
    message_id: str,
    q: str = "",
    resent: int = 0,
    reprocessed_from: str = "",
) -> Response:
    context = _message(request, message_id)
    context["q"] = q[:200]
    message = context["m"]
    context["can_reprocess"] = (
        message["direction"].value == "inbound" and message["status"] in REPROCESSABLE
    )
    context["can_resend"] = (
        message["direction"].value == "outbound"
        and message["channel"].value == "api"
        and message["status"] in RESENDABLE
    )
    context["resent"] = bool(resent)
    with contextlib.suppress(ValueError):
        context["reprocessed_from"] = uuid.UUID(reprocessed_from) if reprocessed_from else None
    return render(request, "message.html", context)


@router.get("/messages/{message_id}/raw")
def message_raw(request: Request, user: CurrentUser, message_id: str) -> Response:
    mid = _uuid(message_id, "message")
    with sessions_of(request)() as session:
        message = session.get(Message, mid)
        if message is None:
            raise PageNotFound(f"message {message_id}")
        data = message.blob.data
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{mid}.edi"'},
    )


@router.post("/messages/{message_id}/replay")
def message_replay(request: Request, user: Changer, form: CheckedForm, message_id: str) -> Response:
    mid = _uuid(message_id, "message")
    with sessions_of(request)() as session:
        message = session.get(Message, mid)
        if message is None:
            raise PageNotFound(f"message {message_id}")
        steps = [s["id"] for s in services.message_extras(session, message)["dead_steps"]]
    done = replay(runtime_of(request), steps) if steps else []
    return RedirectResponse(f"/messages/{mid}?replayed={len(done)}", status_code=303)


@router.post("/messages/{message_id}/reprocess")
def message_reprocess(
    request: Request, user: Changer, form: CheckedForm, message_id: str
) -> Response:
    """Take a rejected or held-duplicate message through intake again (a new message)."""
    mid = _uuid(message_id, "message")
    try:
        done = reprocess(runtime_of(request), mid, actor=f"user:{user.username}")
    except MessageNotFound:
        raise PageNotFound(f"message {message_id}") from None
    except ActionRefused as exc:
        return render(request, "error.html", {"title": "Not reprocessed", "detail": str(exc)}, 409)
    return RedirectResponse(f"/messages/{done.message_id}?reprocessed_from={mid}", status_code=303)


@router.post("/messages/{message_id}/resend")
def message_resend(request: Request, user: Changer, form: CheckedForm, message_id: str) -> Response:
    """Put a picked-up outbound message back in the partner's mailbox."""
    mid = _uuid(message_id, "message")
    try:
        resend(runtime_of(request), mid, actor=f"user:{user.username}")
    except MessageNotFound:
        raise PageNotFound(f"message {message_id}") from None
    except ActionRefused as exc:
        return render(request, "error.html", {"title": "Not resent", "detail": str(exc)}, 409)
    return RedirectResponse(f"/messages/{mid}?resent=1", status_code=303)


# -- exceptions -------------------------------------------------------------------------------


@router.get("/exceptions", response_class=PAGE)
def exceptions_page(request: Request, user: CurrentUser, replayed: int | None = None) -> Response:
    with sessions_of(request)() as session:
        data = services.exceptions(session)
    return render(request, "exceptions.html", {"e": data, "replayed": replayed})


@router.post("/exceptions/replay")
def exceptions_replay(request: Request, user: Changer, form: CheckedForm) -> Response:
    ids = []
    for value in form.getlist("step_id"):
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    done = replay(runtime_of(request), list(dict.fromkeys(ids))) if ids else []
    return RedirectResponse(f"/exceptions?replayed={len(done)}", status_code=303)


# -- partners ---------------------------------------------------------------------------------


@router.get("/partners", response_class=PAGE)
def partners_page(request: Request, user: CurrentUser) -> Response:
    partners = registry.list_partners(sessions_of(request))
    return render(request, "partners.html", {"partners": partners})


def _partner(request: Request, partner_id: str) -> dict[str, Any]:
    try:
        return registry.get_partner(sessions_of(request), _uuid(partner_id, "partner"))
    except NotFoundError:
        raise PageNotFound(f"partner {partner_id}") from None


@router.get("/partners/new", response_class=PAGE)
def wizard_identity(request: Request, user: Changer, from_message: str | None = None) -> Response:
    prefill: dict[str, str] = {}
    if from_message:
        with sessions_of(request)() as session:
            prefill = services.unknown_sender_prefill(session, _uuid(from_message, "message"))
    return render(request, "wizard_identity.html", {"f": prefill, "step": 1})


@router.post("/partners/new", response_class=PAGE)
def wizard_identity_submit(request: Request, user: Changer, form: CheckedForm) -> Response:
    f = {k: str(form.get(k) or "").strip() for k in _IDENTITY_FIELDS}
    delimiters = {
        k: f[f"delimiter_{k}"] for k in ("element", "component", "segment") if f[f"delimiter_{k}"]
    }
    try:
        created = registry.create_partner(
            sessions_of(request),
            name=f["name"],
            isa=f["isa"],
            gs_id=f["gs_id"] or None,
            role=f["role"] or "customer",
            x12_version=f["x12_version"] or None,
            delimiters=delimiters or None,
            actor=user.actor,
        )
    except RegistryError as exc:
        return render(
            request,
            "wizard_identity.html",
            {"f": f, "step": 1, "error": str(exc)},
            status_code=422,
        )
    return RedirectResponse(f"/partners/{created['id']}/wizard/channel", status_code=303)


_IDENTITY_FIELDS = (
    "name",
    "isa",
    "gs_id",
    "role",
    "x12_version",
    "delimiter_element",
    "delimiter_component",
    "delimiter_segment",
)


@router.get("/partners/{partner_id}", response_class=PAGE)
def partner_page(request: Request, user: CurrentUser, partner_id: str) -> Response:
    partner = _partner(request, partner_id)
    pid = uuid.UUID(partner["id"])
    history = registry.audit_history(sessions_of(request), pid)
    with sessions_of(request)() as session:
        activity = services.partner_activity(session, pid)
        timeliness = services.ack_timeliness(session, pid, partner["ack_window_minutes"])
        chart = bar_chart(services.partner_volume(session, pid))
    keys = partner_keys.list_partner_keys(sessions_of(request), pid)
    return render(
        request,
        "partner.html",
        {
            "p": partner,
            "history": history,
            "activity": activity,
            "timeliness": timeliness,
            "keys": keys,
            "chart": chart,
        },
    )


@router.get("/partners/{partner_id}/wizard/{step}", response_class=PAGE)
def wizard_step(request: Request, user: Changer, partner_id: str, step: str) -> Response:
    if step not in _STEPS:
        raise PageNotFound(f"wizard step {step}")
    partner = _partner(request, partner_id)
    context: dict[str, Any] = {"p": partner, "step": _STEPS[step]}
    if step == "erp":
        with sessions_of(request)() as session:
            context["targets"] = services.erp_target_names(session)
    return render(request, f"wizard_{step}.html", context)


_STEPS = {"channel": 2, "documents": 3, "erp": 4, "test": 5}


@router.post("/partners/{partner_id}/wizard/{step}", response_class=PAGE)
async def wizard_step_submit(
    request: Request, user: Changer, form: CheckedForm, partner_id: str, step: str
) -> Response:
    from starlette.concurrency import run_in_threadpool

    if step not in (*_STEPS, "live"):
        raise PageNotFound(f"wizard step {step}")
    return await run_in_threadpool(_wizard_submit, request, user, form, partner_id, step)


def _wizard_submit(request: Request, user: Any, form: Any, partner_id: str, step: str) -> Response:
    partner = _partner(request, partner_id)
    pid = partner["id"]
    sessions = sessions_of(request)
    context: dict[str, Any] = {"p": partner, "step": _STEPS.get(step, 6)}
    try:
        if step == "channel":
            issued = partner_keys.issue_partner_key(
                sessions, pid, label=str(form.get("label") or "") or None, actor=user.actor
            )
            context["issued"] = issued
            return render(request, "wizard_channel.html", context)
        if step == "documents":
            registry.update_partner(
                sessions,
                pid,
                actor=user.actor,
                documents_in=[str(v) for v in form.getlist("documents_in")],
                documents_out=[str(v) for v in form.getlist("documents_out")],
                ack=str(form.get("ack") or "997"),
                ack_window_minutes=str(form.get("ack_window_minutes") or "1440"),
            )
            return RedirectResponse(f"/partners/{pid}/wizard/erp", status_code=303)
        if step == "erp":
            registry.update_partner(
                sessions,
                pid,
                actor=user.actor,
                erp=str(form.get("erp") or "") or None,
                test_erp=str(form.get("test_erp") or "") or None,
            )
            return RedirectResponse(f"/partners/{pid}/wizard/test", status_code=303)
        if step == "test":
            upload = form.get("sample")
            data = upload.file.read(16 * 1024 * 1024) if hasattr(upload, "file") else b""
            context["filename"] = getattr(upload, "filename", None)
            context["report"] = (
                services.validation_report(data)
                if data
                else {"ok": False, "unusable": "choose a file to upload", "problems": []}
            )
            return render(request, "wizard_test.html", context)
        registry.set_status(sessions, pid, "live", reason="onboarding wizard", actor=user.actor)
        return RedirectResponse(f"/partners/{pid}?live=1", status_code=303)
    except RegistryError as exc:
        context["error"] = str(exc)
        if step == "erp":
            with sessions() as session:
                context["targets"] = services.erp_target_names(session)
        template = "wizard_test.html" if step == "live" else f"wizard_{step}.html"
        return render(request, template, context, status_code=422)
