"""The store's tables. Importing this package registers every table on `Base.metadata`."""

from gateway.store.models.base import Base
from gateway.store.models.keys import ApiKey
from gateway.store.models.messages import (
    Acknowledgment,
    Blob,
    Document,
    FunctionalGroup,
    Interchange,
    Message,
    TransactionSet,
)
from gateway.store.models.outbound import OutboundRequest
from gateway.store.models.partners import ErpTarget, OurIdentity, Partner, PartnerIdentity
from gateway.store.models.pipeline import ControlNumber, Event, Step
from gateway.store.models.registry import (
    AuditEntry,
    PartnerCredential,
    PartnerMapping,
    User,
    UserSession,
)

__all__ = [
    "Acknowledgment",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Blob",
    "ControlNumber",
    "Document",
    "ErpTarget",
    "Event",
    "FunctionalGroup",
    "Interchange",
    "Message",
    "OurIdentity",
    "OutboundRequest",
    "Partner",
    "PartnerCredential",
    "PartnerIdentity",
    "PartnerMapping",
    "Step",
    "TransactionSet",
    "User",
    "UserSession",
]
