"""Who may apply to the cloud reseller program, and who may then join anything else.

Each rule answers with the message the person reads, or None. The services call them when an
application is submitted and again at each approval step (the situation may have changed).
"""

from django.utils.translation import gettext as _

from partnercenter.models import Membership, PartnerKind, Program, ProgramMembership, ProgramStatus

from .models import ResellerApplication


def _current_customer_association(user):
    from customers.models import Association

    return (
        Association.objects.current()
        .filter(customer__logins__user=user)
        .select_related("partner")
        .first()
    )


def _company_is_a_customer(company_name):
    from customers.models import Association

    name = (company_name or "").strip()
    if not name:
        return None
    return (
        Association.objects.current()
        .filter(customer__name__iexact=name)
        .select_related("partner")
        .first()
    )


def applicant_refusal(user, *, company_name="", exclude_application=None):
    """Why this account (or company) cannot apply, or None when it may."""
    if user.is_staff:
        return _("Platform staff accounts cannot apply to a partner program.")
    if Membership.objects.active().filter(user=user).exists():
        return _(
            "Your account already belongs to a partner organisation; it cannot apply to the "
            "cloud reseller program. Use a separate account."
        )
    live = ResellerApplication.objects.live().filter(applicant=user)
    if exclude_application is not None:
        live = live.exclude(pk=exclude_application.pk)
    if live.exists():
        return _("This account has already applied to the cloud reseller program.")
    association = _current_customer_association(user)
    if association is not None:
        return _(
            "This account is a customer of the Huawei Cloud partner %(partner)s, so it cannot "
            "apply to the cloud reseller program. Apply with an account that is not a partner's "
            "customer."
        ) % {"partner": association.partner.name}
    association = _company_is_a_customer(company_name)
    if association is not None:
        return _(
            "%(company)s is already a customer of a Huawei Cloud partner, so it cannot apply to "
            "the cloud reseller program."
        ) % {"company": company_name.strip()}
    return None


def distributor_refusal(distributor, country_region):
    """The named distributor must be an active distributor of the applicant's country/region."""
    if distributor is None or distributor.kind != PartnerKind.DISTRIBUTOR:
        return _("Choose a distributor.")
    if distributor.country_region != country_region:
        return _("Choose a distributor in your own country/region.")
    if not ProgramMembership.objects.filter(
        partner=distributor, program=Program.DISTRIBUTION, status=ProgramStatus.ACTIVE
    ).exists():
        return _("This distributor is not taking on cloud resellers at the moment.")
    return None


def available_distributors(country_region=None):
    """Distributors an applicant may name: active in the distribution program."""
    from partnercenter.models import Partner

    qs = Partner.objects.distributors().filter(
        programs__program=Program.DISTRIBUTION, programs__status=ProgramStatus.ACTIVE
    )
    if country_region:
        qs = qs.filter(country_region=country_region)
    return qs.order_by("name")


def membership_refusal(user, partner_id):
    """An account that applied to the reseller program cannot join another partner (domain
    §1.2): a colleague invitation to any other organisation is refused while it stands."""
    application = (
        ResellerApplication.objects.live()
        .filter(applicant=user)
        .exclude(partner_id=partner_id)
        .first()
    )
    if application is None:
        return None
    return _(
        "This account has applied to the cloud reseller program and cannot join another partner "
        "organisation or program."
    )
