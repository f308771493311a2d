"""cXML credentials: the From/Sender Credential (domain + identity) a partner puts in its cXML
headers, with its SharedSecret kept only as a scrypt hash (cryptography's Scrypt, n=2**14,
r=8, p=1, a 16-byte random salt per secret).

    set_cxml_credential(sessions, "Northwind", domain="NetworkID", identity="AN01", secret=...)
    find_sender(session, domain, identity)     # -> (credential, partner) or None
    verify_secret(stored_hash, presented)      # constant-time
"""

from __future__ import annotations

import base64
import hmac
import os
import uuid
from typing import Any, Final

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.store.models import Partner, PartnerCredential
from gateway.store.types import utcnow
from partners import audit
from partners.errors import ConflictError, InvalidError
from partners.registry import CLI_ACTOR, find_partner

KIND: Final = "cxml"
_N, _R, _P, _LEN = 2**14, 8, 1, 32
MIN_SECRET: Final = 12


def _kdf(salt: bytes, n: int = _N, r: int = _R, p: int = _P) -> Scrypt:
    return Scrypt(salt=salt, length=_LEN, n=n, r=r, p=p)


def hash_secret(secret: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) of a shared secret."""
    salt = os.urandom(16)
    digest = _kdf(salt).derive(secret.encode("utf-8"))
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_secret(stored: str | None, presented: str) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = _kdf(base64.b64decode(salt), int(n), int(r), int(p)).derive(
            presented.encode("utf-8")
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


def credential_view(partner: Partner, row: PartnerCredential) -> dict[str, Any]:
    return {
        "partner": partner.name,
        "domain": row.domain,
        "identity": row.identity,
        "secret": "set (scrypt hash)" if row.secret_hash else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }


def set_cxml_credential(
    sessions: sessionmaker[Session],
    ref: str | uuid.UUID,
    *,
    domain: str,
    identity: str,
    secret: str,
    actor: str = CLI_ACTOR,
) -> dict[str, Any]:
    """Register (or change the secret of) the cXML credential a partner sends as."""
    domain, identity = domain.strip(), identity.strip()
    if not domain or not identity:
        raise InvalidError("a cXML credential needs a domain and an identity", field="identity")
    if len(secret) < MIN_SECRET:
        raise InvalidError(
            f"the shared secret must be at least {MIN_SECRET} characters", field="secret"
        )
    hashed = hash_secret(secret)
    with sessions.begin() as session:
        partner = find_partner(session, ref, lock=True)
        row = session.execute(
            select(PartnerCredential).where(
                PartnerCredential.kind == KIND,
                PartnerCredential.domain == domain,
                PartnerCredential.identity == identity,
            )
        ).scalar_one_or_none()
        if row is not None and row.partner_id != partner.id:
            raise ConflictError(
                f"cXML credential {domain}:{identity} belongs to another partner",
                field="identity",
            )
        action = "partner.cxml_credential_changed" if row else "partner.cxml_credential_added"
        if row is None:
            row = PartnerCredential(
                partner_id=partner.id, kind=KIND, domain=domain, identity=identity
            )
            session.add(row)
        row.secret_hash = hashed
        row.updated_at = utcnow()
        session.flush()
        audit.record(
            session,
            actor=actor,
            action=action,
            partner=partner,
            changes={"domain": domain, "identity": identity, "secret": "(set)"},
        )
        return credential_view(partner, row)


def find_sender(
    session: Session, domain: str, identity: str
) -> tuple[PartnerCredential, Partner] | None:
    found = session.execute(
        select(PartnerCredential, Partner)
        .join(Partner, Partner.id == PartnerCredential.partner_id)
        .where(
            PartnerCredential.kind == KIND,
            PartnerCredential.domain == domain,
            PartnerCredential.identity == identity,
        )
    ).first()
    return (found[0], found[1]) if found else None
