"""What a member may see: one function per question, used by pages, exports and revealables."""

from datetime import timedelta

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from partnercenter.models import Partner, PartnerKind
from partnercenter.permissions import P, has_perm
from partnercenter.timeutil import start_of_local_day

from .models import (
    ApplicationStatus,
    ResellerApplication,
    ResellerInvitation,
    ResellerManagerAssignment,
)


def _is_distributor(membership, item):
    return (
        membership is not None
        and membership.partner.kind == PartnerKind.DISTRIBUTOR
        and has_perm(membership, item)
    )


def my_resellers(membership):
    """我的云经销商: the member's distributor's resellers, with 关联时间 (when the distributor
    approved them; the partner's creation for resellers that predate the program records)."""
    if not _is_distributor(membership, P.RESELLER_LIST_VIEW):
        return Partner.objects.none()
    approved_at = ResellerApplication.objects.filter(partner=OuterRef("pk")).values(
        "distributor_reviewed_at"
    )[:1]
    status = ResellerApplication.objects.filter(partner=OuterRef("pk")).values("status")[:1]
    return Partner.objects.filter(
        distributor_id=membership.partner_id, kind=PartnerKind.RESELLER
    ).annotate(
        associated_at=Coalesce(Subquery(approved_at), F("created_at")),
        cooperation_status=Subquery(status),
    )


def filter_resellers(qs, params):
    if params.get("account_name"):
        qs = qs.filter(account_name__icontains=params["account_name"].strip())
    if params.get("name"):
        qs = qs.filter(name__icontains=params["name"].strip())
    if params.get("reseller_id"):
        qs = qs.filter(domain_id=params["reseller_id"].strip())  # exact, like Huawei's
    if params.get("mobile"):
        qs = qs.filter(contact_phone__contains=params["mobile"].strip())
    if params.get("email"):
        qs = qs.filter(contact_email__icontains=params["email"].strip())
    if params.get("date_from"):
        qs = qs.filter(associated_at__gte=start_of_local_day(params["date_from"]))
    if params.get("date_to"):
        qs = qs.filter(associated_at__lt=start_of_local_day(params["date_to"] + timedelta(days=1)))
    return qs.order_by("-associated_at", "-pk")


def reseller_for(membership, pk):
    """One of the member's resellers, or None (callers answer 404)."""
    return my_resellers(membership).filter(pk=pk).first()


def current_managers(resellers):
    """{reseller pk: current ResellerManagerAssignment} in one query."""
    rows = ResellerManagerAssignment.objects.filter(
        reseller_id__in=[r.pk for r in resellers], ended_at__isnull=True
    ).select_related("account_manager__user")
    return {a.reseller_id: a for a in rows}


def authorized_ids(resellers):
    from .models import DistributorAuthorization

    return set(
        DistributorAuthorization.objects.filter(
            reseller_id__in=[r.pk for r in resellers], revoked_at__isnull=True
        ).values_list("reseller_id", flat=True)
    )


# --- 审核云经销商的合作邀请 ----------------------------------------------------------------------

REVIEW_TABS = {
    "pending": [ApplicationStatus.PENDING_DISTRIBUTOR],
    "approved": [ApplicationStatus.APPROVED, ApplicationStatus.EXITING, ApplicationStatus.EXITED],
    "rejected": [ApplicationStatus.DISTRIBUTOR_REJECTED],
}


def review_applications(membership, tab="pending"):
    """Applications that reached this distributor (Huawei's step done), by tab."""
    if not _is_distributor(membership, P.RESELLER_REVIEW):
        return ResellerApplication.objects.none()
    statuses = REVIEW_TABS.get(tab, REVIEW_TABS["pending"])
    return ResellerApplication.objects.filter(
        distributor_id=membership.partner_id, status__in=statuses
    )


def reviewable(membership):
    """Every application the distributor may look at (any tab): for the eye and the row."""
    if not _is_distributor(membership, P.RESELLER_REVIEW):
        return ResellerApplication.objects.none()
    return ResellerApplication.objects.filter(
        distributor_id=membership.partner_id,
        status__in=[s for statuses in REVIEW_TABS.values() for s in statuses],
    )


def filter_applications(qs, params):
    if params.get("name"):
        qs = qs.filter(company_name__icontains=params["name"].strip())
    if params.get("mobile"):
        qs = qs.filter(contact_phone__contains=params["mobile"].strip())
    if params.get("email"):
        qs = qs.filter(contact_email__icontains=params["email"].strip())
    return qs.order_by("-submitted_at", "-pk")


def visible_invitations(membership):
    if not _is_distributor(membership, P.RESELLER_REVIEW):
        return ResellerInvitation.objects.none()
    return ResellerInvitation.objects.filter(distributor_id=membership.partner_id)


def latest_application(user):
    return (
        ResellerApplication.objects.filter(applicant=user)
        .select_related("distributor", "partner")
        .order_by("-submitted_at", "-pk")
        .first()
    )
