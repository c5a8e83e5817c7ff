"""ORM models of the structured store; import from here so every table is registered."""

from assistant.store.models.assistant import AnswerFeedback, Conversation, QueryLog
from assistant.store.models.attachments import Attachment
from assistant.store.models.audit import AuditEvent
from assistant.store.models.base import Base
from assistant.store.models.bindings import BindingCode, ChannelBinding
from assistant.store.models.bookings import Booking, BookingInspector
from assistant.store.models.credit import CreditRecord
from assistant.store.models.followup import CreditDraft, PublishedCase, SpotCheckDraw, SpotCheckPick
from assistant.store.models.inspections import (
    Inspection,
    InspectionFinding,
    InspectionInspector,
    InspectionMeasurement,
)
from assistant.store.models.notifications import Delivery, Notification, NotificationPref
from assistant.store.models.rectifications import RectificationNotice
from assistant.store.models.registry import (
    Account,
    Enterprise,
    InspectionTeam,
    NumberSequence,
    Project,
    ProjectParty,
    TeamDay,
)
from assistant.store.models.tokens import ApiToken
from assistant.store.models.visits import VisitExpert, VisitRequest

__all__ = [
    "Account",
    "AnswerFeedback",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "Base",
    "BindingCode",
    "Booking",
    "BookingInspector",
    "ChannelBinding",
    "Conversation",
    "CreditDraft",
    "CreditRecord",
    "Delivery",
    "Enterprise",
    "Inspection",
    "InspectionFinding",
    "InspectionInspector",
    "InspectionMeasurement",
    "InspectionTeam",
    "Notification",
    "NotificationPref",
    "NumberSequence",
    "Project",
    "ProjectParty",
    "PublishedCase",
    "QueryLog",
    "RectificationNotice",
    "SpotCheckDraw",
    "SpotCheckPick",
    "TeamDay",
    "VisitExpert",
    "VisitRequest",
]
