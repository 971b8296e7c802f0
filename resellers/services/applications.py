"""The cloud reseller program: apply, Huawei's review, the distributor's review, exit.

Every step is one durable transaction with an audit row and a notice to the applicant
(in-app now, e-mail after commit). The status only moves through
ResellerApplication.move(), so the table in models.ACTIONS is the whole state machine.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import ledger
from billing.models import AccountKind
from partnercenter import audit, staff
from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.models import (
    CountryRegion,
    Membership,
    NotificationCategory,
    Partner,
    PartnerKind,
    Program,
    ProgramMembership,
    ProgramStatus,
    Role,
    User,
)
from partnercenter.notifications import notify
from partnercenter.permissions import P

from .. import rules
from ..models import (
    DistributorAuthorization,
    InvitationStatus,
    ResellerApplication,
    ResellerInvitation,
    ResellerManagerAssignment,
)
from .common import partner_people, require_distributor

REQUIRED_DETAILS = (
    ("company_name", 200),
    ("credit_code", 32),
    ("contact_name", 100),
    ("contact_phone", 32),
    ("contact_email", 254),
)


def _applicant_notice(application, title, body=""):
    notify(
        [application.applicant],
        category=NotificationCategory.RESELLERS,
        title=title,
        body=body,
        url=reverse("resellers:application"),
    )


def _snapshot(application):
    return {"status": application.status}


def _clean_details(details):
    cleaned = {}
    for name, max_length in REQUIRED_DETAILS:
        value = str(details.get(name) or "").strip()
        if not value:
            raise DomainError(_("This field is required."), field=name)
        if len(value) > max_length:
            raise DomainError(_("This value is too long."), field=name)
        cleaned[name] = value
    cleaned["contact_email"] = cleaned["contact_email"].lower()
    cleaned["address"] = str(details.get("address") or "").strip()[:255]
    country = str(details.get("country_region") or "")
    if country not in CountryRegion.values:
        raise DomainError(_("Choose a country/region."), field="country_region")
    cleaned["country_region"] = country
    return cleaned


# --- Applying --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def submit_application(*, actor, details, distributor_id=None, invitation_token=None):
    """申请加入分销计划(云经销商): the signed-in account applies, naming its distributor.

    With an invitation the distributor (and so the country/region) is the inviting one."""
    if actor.user is None:
        raise PermissionRefused(_("Sign in to apply."))
    # One submission at a time per account: the checks below then see a settled state.
    user = User.objects.select_for_update().get(pk=actor.user.pk)
    data = _clean_details(details)
    invitation = None
    if invitation_token:
        invitation = _open_invitation_for_update(invitation_token, user)
        distributor = invitation.distributor
        if data["country_region"] != distributor.country_region:
            raise DomainError(
                _("Choose a distributor in your own country/region."), field="country_region"
            )
    else:
        distributor = (
            Partner.objects.filter(pk=distributor_id, kind=PartnerKind.DISTRIBUTOR).first()
            if distributor_id
            else None
        )
    message = rules.applicant_refusal(user, company_name=data["company_name"])
    if message:
        raise DomainError(message)
    message = rules.distributor_refusal(distributor, data["country_region"])
    if message:
        raise DomainError(message, field="distributor")
    application = ResellerApplication.objects.create(
        applicant=user,
        distributor=distributor,
        invitation=invitation,
        account_name=user.account_name,
        **data,
    )
    if invitation is not None:
        invitation.status = InvitationStatus.APPLIED
        invitation.applied_at = timezone.now()
        invitation.save(update_fields=["status", "applied_at"])
    audit.record(
        "reseller.apply",
        actor=actor,
        target=application,
        after={
            "distributor": distributor.pk,
            "company_name": data["company_name"],
            "invitation": invitation.pk if invitation else None,
        },
    )
    _applicant_notice(
        application,
        lambda: _("Your application to the cloud reseller program was submitted"),
        lambda: (
            _("Huawei reviews it first, then %(distributor)s.") % {"distributor": distributor.name}
        ),
    )
    return application


def _open_invitation_for_update(token, user):
    from .invitations import check_invitation

    invitation = check_invitation(token)
    invitation = (
        ResellerInvitation.objects.select_for_update()
        .select_related("distributor")
        .get(pk=invitation.pk)
    )
    if invitation.effective_status != InvitationStatus.SENT:
        raise DomainError(_("This invitation link has already been used."))
    if user.email.lower() != invitation.email.lower():
        raise DomainError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    return invitation


# --- Huawei's review (staff in the 计划审核员 group) ------------------------------------------


def _require_reviewer(actor):
    if not staff.in_group(actor.user, staff.PROGRAM_REVIEWER):
        raise PermissionRefused(_("Only Huawei's program reviewers can do this."))


def _application_for_update(**lookup):
    application = (
        ResellerApplication.objects.select_for_update(of=("self",))
        .select_related("applicant", "distributor", "partner")
        .filter(**lookup)
        .first()
    )
    if application is None:
        raise DomainError(_("Application not found."))
    return application


@transaction.atomic(durable=True)
def huawei_review(*, actor, application_id, approve, note=""):
    """华为审核: approve (on to the distributor) or reject with a reason."""
    _require_reviewer(actor)
    application = _application_for_update(pk=application_id)
    note = (note or "").strip()[:500]
    before = _snapshot(application)
    application.move("huawei_approve" if approve else "huawei_reject")
    if not approve and not note:
        raise DomainError(_("Give a reason for the rejection."), field="note")
    if approve:
        _recheck(application)
    application.huawei_reviewed_by = actor.user
    application.huawei_reviewed_at = timezone.now()
    application.huawei_note = note
    application.save(
        update_fields=["status", "huawei_reviewed_by", "huawei_reviewed_at", "huawei_note"]
    )
    audit.record(
        "reseller.huawei_approve" if approve else "reseller.huawei_reject",
        actor=actor,
        partner=application.distributor if approve else None,
        target=application,
        before=before,
        after={"status": application.status, "note": note},
    )
    if approve:
        _applicant_notice(
            application,
            lambda: _("Huawei approved your cloud reseller application"),
            lambda: (
                _("It now waits for %(distributor)s to approve the cooperation.")
                % {"distributor": application.distributor.name}
            ),
        )
        notify(
            partner_people(application.distributor),
            category=NotificationCategory.RESELLERS,
            title=lambda: (
                _("%(company)s asks to become your cloud reseller")
                % {"company": application.company_name}
            ),
            url=reverse("resellers:review"),
        )
    else:
        _applicant_notice(
            application,
            lambda: _("Huawei did not approve your cloud reseller application"),
            lambda: _("Reason: %(reason)s") % {"reason": note},
        )
    return application


def _recheck(application):
    """The applicant's situation may have changed since it applied: check it again."""
    message = rules.applicant_refusal(
        application.applicant,
        company_name=application.company_name,
        exclude_application=application,
    )
    if message:
        raise DomainError(message)
    message = rules.distributor_refusal(application.distributor, application.country_region)
    if message:
        raise DomainError(message)


# --- The distributor's review (审核云经销商的合作邀请) ------------------------------------------


@transaction.atomic(durable=True)
def distributor_review(*, actor, application_id, approve, reason=""):
    """The named distributor approves (the applicant becomes its reseller) or rejects."""
    require_distributor(actor, P.RESELLER_REVIEW)
    application = _application_for_update(pk=application_id, distributor=actor.partner)
    reason = (reason or "").strip()[:500]
    before = _snapshot(application)
    application.move("distributor_approve" if approve else "distributor_reject")
    if not approve and not reason:
        raise DomainError(_("Give a reason for the rejection."), field="reason")
    if approve:
        _recheck(application)
    application.distributor_reviewed_by = actor.user
    application.distributor_reviewed_at = timezone.now()
    application.distributor_reason = reason
    if approve:
        _create_reseller(application)  # saves the application, now 已通过
    else:
        application.save(
            update_fields=[
                "status",
                "distributor_reviewed_by",
                "distributor_reviewed_at",
                "distributor_reason",
            ]
        )
    audit.record(
        "reseller.distributor_approve" if approve else "reseller.distributor_reject",
        actor=actor,
        target=application,
        before=before,
        after={
            "status": application.status,
            "reason": reason,
            "reseller": application.partner_id,
        },
    )
    if approve:
        _applicant_notice(
            application,
            lambda: (
                _("You are now a cloud reseller of %(distributor)s")
                % {"distributor": application.distributor.name}
            ),
            lambda: (
                _("Sign in again to open Partner Center as %(company)s.")
                % {"company": application.company_name}
            ),
        )
    else:
        _applicant_notice(
            application,
            lambda: (
                _("%(distributor)s declined your cloud reseller application")
                % {"distributor": application.distributor.name}
            ),
            lambda: _("Reason: %(reason)s") % {"reason": reason},
        )
    return application


def batch_distributor_review(*, actor, application_ids, approve, reason=""):
    """批量审批: one transaction per application, a result per row (the others go on)."""
    require_distributor(actor, P.RESELLER_REVIEW)
    results = []
    for application_id in application_ids:
        try:
            application = distributor_review(
                actor=actor, application_id=application_id, approve=approve, reason=reason
            )
        except DomainError as e:
            results.append({"id": application_id, "ok": False, "message": str(e.message)})
        else:
            results.append({"id": application_id, "ok": True, "application": application})
    return results


def _free_account_name(base):
    base = (base or "reseller")[:56]
    candidate, n = base, 1
    while Partner.objects.filter(account_name=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _create_reseller(application):
    """On the distributor's approval: the reseller partner, its program and its admin."""
    partner = Partner.objects.create(
        name=application.company_name,
        kind=PartnerKind.RESELLER,
        country_region=application.country_region,
        distributor=application.distributor,
        account_name=_free_account_name(application.account_name),
        contact_name=application.contact_name,
        contact_email=application.contact_email,
        contact_phone=application.contact_phone,
        address=application.address,
    )
    ProgramMembership.objects.create(
        partner=partner,
        program=Program.CLOUD_RESELLER,
        status=ProgramStatus.ACTIVE,
        joined_on=timezone.localdate(),
    )
    application.partner = partner
    application.save(
        update_fields=[
            "status",
            "partner",
            "distributor_reviewed_by",
            "distributor_reviewed_at",
            "distributor_reason",
        ]
    )
    # After the application names the partner: rules.membership_refusal then lets it through.
    Membership.objects.create(user=application.applicant, partner=partner, role=Role.ADMIN)
    return partner


# --- Exit (退出中 → 已退出) -------------------------------------------------------------------


def cooperation_of(reseller):
    """The application a reseller came in by (its cooperation record), or None."""
    return ResellerApplication.objects.filter(partner=reseller).first()


@transaction.atomic(durable=True)
def request_exit(*, actor, reseller_id, reason):
    """The reseller's admin, or its distributor, asks to end the cooperation (退出中).

    Huawei's program reviewer completes it once the reseller's funds are back (complete_exit)."""
    from billing.errors import NotYourReseller

    reason = (reason or "").strip()[:500]
    if actor.membership is None:
        raise PermissionRefused(_("Your role does not allow this operation."))
    if actor.partner.pk == reseller_id and actor.partner.kind == PartnerKind.RESELLER:
        if actor.membership.role != Role.ADMIN:  # like disassociation: the partner admin only
            raise PermissionRefused(_("Only the partner admin can end the cooperation."))
    else:
        require_distributor(actor, P.RESELLER_REVIEW)
        if not Partner.objects.filter(
            pk=reseller_id, kind=PartnerKind.RESELLER, distributor=actor.partner
        ).exists():
            raise NotYourReseller(_("You do not have permission to operate on this reseller."))
    application = ResellerApplication.objects.filter(partner_id=reseller_id).first()
    if application is None:
        raise DomainError(_("This reseller has no cooperation record. Contact Huawei."))
    application = _application_for_update(pk=application.pk)
    before = _snapshot(application)
    application.move("request_exit")
    if not reason:
        raise DomainError(_("Give a reason."), field="reason")
    application.exit_requested_by = actor.user
    application.exit_requested_at = timezone.now()
    application.exit_reason = reason
    application.save(
        update_fields=["status", "exit_requested_by", "exit_requested_at", "exit_reason"]
    )
    ProgramMembership.objects.filter(partner_id=reseller_id, program=Program.CLOUD_RESELLER).update(
        status=ProgramStatus.EXITING
    )
    audit.record(
        "reseller.exit_request",
        actor=actor,
        target=application,
        before=before,
        after={"status": application.status, "reason": reason},
    )
    recipients = partner_people(application.partner) + partner_people(application.distributor)
    notify(
        recipients,
        category=NotificationCategory.RESELLERS,
        title=lambda: (
            _("Exit from the cloud reseller program requested for %(company)s")
            % {"company": application.partner.name}
        ),
        body=lambda: _("Reason: %(reason)s") % {"reason": reason},
    )
    return application


def _exit_staff_step(actor, application_id):
    _require_reviewer(actor)
    return _application_for_update(pk=application_id)


@transaction.atomic(durable=True)
def complete_exit(*, actor, application_id):
    """已退出: the reseller leaves its distributor. Its funds must have been recovered first."""
    application = _exit_staff_step(actor, application_id)
    before = _snapshot(application)
    application.move("complete_exit")
    reseller = Partner.objects.select_for_update().get(pk=application.partner_id)
    # Locked like a transfer locks them, so no allocation can slip in while we look.
    accounts = [
        ledger.partner_account(reseller, AccountKind.PARTNER_RECHARGE),
        ledger.partner_account(reseller, AccountKind.PARTNER_ALLOCATED),
    ]
    locked = ledger.lock(accounts)
    recharge, allocated = (locked[a.pk].balance for a in accounts)
    if recharge != 0 or allocated != 0:
        raise DomainError(
            _(
                "The reseller still holds %(recharge)s yuan from its distributor and has "
                "%(allocated)s yuan allocated to customers. Recover the funds before the exit."
            )
            % {"recharge": recharge, "allocated": -allocated}
        )
    now = timezone.now()
    application.exited_at = now
    application.save(update_fields=["status", "exited_at"])
    ProgramMembership.objects.filter(partner=reseller, program=Program.CLOUD_RESELLER).update(
        status=ProgramStatus.EXITED, exited_on=timezone.localdate()
    )
    reseller.distributor = None
    reseller.save(update_fields=["distributor"])
    DistributorAuthorization.objects.filter(reseller=reseller, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor.user
    )
    ResellerManagerAssignment.objects.filter(reseller=reseller, ended_at__isnull=True).update(
        ended_at=now, ended_by=actor.user
    )
    audit.record(
        "reseller.exit_complete",
        actor=actor,
        partner=application.distributor,
        target=application,
        before=before,
        after={"status": application.status},
    )
    notify(
        partner_people(reseller) + partner_people(application.distributor),
        category=NotificationCategory.RESELLERS,
        title=lambda: (
            _("%(company)s has left the cloud reseller program") % {"company": reseller.name}
        ),
    )
    return application


@transaction.atomic(durable=True)
def cancel_exit(*, actor, application_id):
    """Withdraw an exit request: back to 已通过 (合作中)."""
    application = _exit_staff_step(actor, application_id)
    before = _snapshot(application)
    application.move("cancel_exit")
    application.exit_requested_by = None
    application.exit_requested_at = None
    application.exit_reason = ""
    application.save(
        update_fields=["status", "exit_requested_by", "exit_requested_at", "exit_reason"]
    )
    ProgramMembership.objects.filter(
        partner_id=application.partner_id, program=Program.CLOUD_RESELLER
    ).update(status=ProgramStatus.ACTIVE)
    audit.record(
        "reseller.exit_cancel",
        actor=actor,
        partner=application.distributor,
        target=application,
        before=before,
        after={"status": application.status},
    )
    notify(
        partner_people(application.partner) + partner_people(application.distributor),
        category=NotificationCategory.RESELLERS,
        title=lambda: (
            _("The exit of %(company)s from the cloud reseller program was withdrawn")
            % {"company": application.partner.name}
        ),
    )
    return application
