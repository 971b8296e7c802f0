"""Wiring into the core and the other apps: the applicant's landing page, the reseller's home
widget, revealable fields, audit labels, the authorisation prerequisite, the rule that an
applicant joins no other partner, demo data and the program reviewers' admin permissions."""

from django.db.models.signals import pre_save
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from customers.services.authorizations import PREREQUISITES
from partnercenter import masking
from partnercenter.audit import register_actions
from partnercenter.errors import DomainError
from partnercenter.management.commands.seed_demo import DEMO_LOGINS, SEEDERS
from partnercenter.models import Membership, Partner
from partnercenter.permissions import P, has_perm
from partnercenter.views.home import HOME_WIDGETS, LANDING_HOOKS

from .models import ResellerApplication, ResellerInvitation
from .services.relations import authorization_prerequisite
from .views.apply import PENDING_INVITATION_KEY


def _landing(request):
    """People without a membership who followed an invitation or applied land on it."""
    if request.session.get(PENDING_INVITATION_KEY):
        return redirect("resellers:join", token=request.session[PENDING_INVITATION_KEY])
    if ResellerApplication.objects.filter(applicant=request.user).exists():
        return redirect("resellers:application")
    return None


# Before the customers' console: an applicant's own application is what it came for.
LANDING_HOOKS.insert(0, _landing)


def _home_widget(request):
    partner = request.partner
    if not partner.is_reseller:
        return None
    from .services.funds import history

    last = history(partner).first() if has_perm(request.membership, P.FUNDS_VIEW) else None
    return {
        "template": "resellers/_home_distributor.html",
        "distributor": partner.distributor,
        "last": last,
        "col": "col-lg-4",
    }


HOME_WIDGETS.append(_home_widget)


def _revealable_applications(request):
    from .selectors import reviewable

    return reviewable(getattr(request, "membership", None))


def _revealable_resellers(request):
    from .selectors import my_resellers

    membership = getattr(request, "membership", None)
    if membership is None:
        return Partner.objects.none()
    return my_resellers(membership)


def _revealable_invitations(request):
    from .selectors import visible_invitations

    membership = getattr(request, "membership", None)
    if membership is None:
        return ResellerInvitation.objects.none()
    return visible_invitations(membership)


masking.register(
    "resellers.application",
    fields={"contact_name": "name", "contact_phone": "phone", "contact_email": "email"},
    queryset=_revealable_applications,
)
masking.register(
    "resellers.reseller",
    fields={"contact_phone": "phone", "contact_email": "email", "contact_name": "name"},
    queryset=_revealable_resellers,
)
masking.register(
    "resellers.invitation", fields={"email": "email"}, queryset=_revealable_invitations
)

register_actions(
    {
        "reseller.apply": _("Applied to the cloud reseller program"),
        "reseller.huawei_approve": _("Huawei approved a cloud reseller application"),
        "reseller.huawei_reject": _("Huawei rejected a cloud reseller application"),
        "reseller.distributor_approve": _("Approved a cloud reseller"),
        "reseller.distributor_reject": _("Rejected a cloud reseller"),
        "reseller.exit_request": _("Requested a cloud reseller's exit"),
        "reseller.exit_complete": _("Cloud reseller exited"),
        "reseller.exit_cancel": _("Withdrew a cloud reseller's exit"),
        "reseller.invite": _("Invited a cloud reseller"),
        "reseller.invite.revoke": _("Revoked a cloud reseller invitation"),
        "reseller.invite.expire": _("Cloud reseller invitation expired"),
        "reseller.allocate": _("Allocated funds to a cloud reseller"),
        "reseller.recover": _("Recovered funds from a cloud reseller"),
        "reseller.assign_am": _("Assigned a cloud reseller's account manager"),
        "reseller.withdraw_am": _("Withdrew a cloud reseller's account manager"),
        "reseller.authorize": _("Authorised a cloud reseller"),
        "reseller.authorize.revoke": _("Withdrew a cloud reseller's authorisation"),
    }
)

# A reseller asks a customer for authorisation only after its distributor authorised it.
PREREQUISITES.append(authorization_prerequisite)


def _applicants_join_no_other_partner(sender, instance, **kwargs):
    """Domain §1.2: an account that applied to the reseller program joins no other partner."""
    if instance.pk is not None or instance.removed_at is not None:
        return
    from .rules import membership_refusal

    message = membership_refusal(instance.user, instance.partner_id)
    if message:
        raise DomainError(message)


pre_save.connect(
    _applicants_join_no_other_partner,
    sender=Membership,
    dispatch_uid="resellers.applicants_join_no_other_partner",
)


def _seed(stdout):
    from .seed import seed

    seed(stdout)


SEEDERS.append(_seed)
DEMO_LOGINS.extend(
    [
        ("applicant-huawei@demo.test", "申请中: 待华为审核 (cloud reseller applicant)"),
        ("applicant-dist@demo.test", "申请中: 待总经销商审核 (awaits dist-admin's review)"),
    ]
)


def _staff_permissions():
    from partnercenter import staff

    staff.GROUP_PERMISSIONS[staff.PROGRAM_REVIEWER] += [
        "resellers.view_resellerapplication",
        "resellers.change_resellerapplication",
        "resellers.view_resellerinvitation",
        "resellers.view_distributorauthorization",
        "resellers.view_resellermanagerassignment",
    ]
    staff.GROUP_PERMISSIONS[staff.CHANNEL_MANAGER] += [
        "resellers.view_resellerapplication",
    ]


_staff_permissions()
