from .access_keys import AccessKey, AccessKeyScope, AccessKeyStatus
from .audit import AuditEvent
from .exports import ACTIVE_EXPORT_STATUSES, EXPORT_KEEP_DAYS, ExportJob, ExportStatus
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
from .signatures import UsedSignature
from .users import User
from .verification import VerificationCode

__all__ = [
    "AccessKey",
    "AccessKeyScope",
    "AccessKeyStatus",
    "ACTIVE_EXPORT_STATUSES",
    "AuditEvent",
    "CountryRegion",
    "EXPORT_KEEP_DAYS",
    "ExportJob",
    "ExportStatus",
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
    "UsedSignature",
    "User",
    "VerificationCode",
]
