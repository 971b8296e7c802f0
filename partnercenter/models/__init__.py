from .audit import AuditEvent
from .notifications import Notification, NotificationCategory, NotificationPreference
from .partners import (
    CountryRegion,
    MemberInvitation,
    MemberInvitationStatus,
    Membership,
    Partner,
    PartnerKind,
    Program,
    ProgramMembership,
    ProgramStatus,
    Role,
)
from .users import User

__all__ = [
    "AuditEvent",
    "CountryRegion",
    "MemberInvitation",
    "MemberInvitationStatus",
    "Membership",
    "Notification",
    "NotificationCategory",
    "NotificationPreference",
    "Partner",
    "PartnerKind",
    "Program",
    "ProgramMembership",
    "ProgramStatus",
    "Role",
    "User",
]
