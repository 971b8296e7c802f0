"""Wiring into the core: landing page, navigation, revealable fields, audit labels."""

from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from partnercenter import masking
from partnercenter.audit import register_actions
from partnercenter.management.commands.seed_demo import DEMO_LOGINS, SEEDERS
from partnercenter.nav import CUSTOMER_NAV_FILTERS, CUSTOMER_TREE, E
from partnercenter.permissions import P, has_perm
from partnercenter.views.home import LANDING_HOOKS

from .models import Customer

PENDING_INVITATION_KEY = "customers.pending_invitation"


def _landing(request):
    if getattr(request, "customer", None) is not None:
        return redirect("customers:console")
    token = request.session.get(PENDING_INVITATION_KEY)
    if token:
        return redirect("customers:accept", token=token)
    return None


LANDING_HOOKS.append(_landing)


def _seed(stdout):
    from .seed import seed

    seed(stdout)


SEEDERS.append(_seed)
DEMO_LOGINS.append(
    ("customer@demo.test", "示例客户科技有限公司 · customer console (resale with 云途科技)")
)

CUSTOMER_TREE.append(
    E(
        "console",
        _("Account center"),
        children=[
            E("console.partner", _("My partner"), "customers:console"),
            E("console.security", _("Security settings"), "customers:console_security"),
            E("console.keys", _("Manage my credentials"), "access_keys"),
            E("console.api", _("API access"), "api_guide"),
        ],
    )
)


def _reachable_while_acting(request, url_name):
    from .acting import allowed

    return getattr(request, "acting_as", None) is None or allowed(url_name)


CUSTOMER_NAV_FILTERS.append(_reachable_while_acting)


def _revealable_customers(request):
    from .selectors import reseller_customer_associations, visible_associations

    membership = getattr(request, "membership", None)
    if membership is None or not has_perm(membership, P.CUSTOMER_LIST_VIEW):
        return Customer.objects.none()
    ids = visible_associations(membership).values("customer_id")
    qs = Customer.objects.filter(pk__in=ids)
    if has_perm(membership, P.RESELLER_CUSTOMER_VIEW):
        qs = qs | Customer.objects.filter(
            pk__in=reseller_customer_associations(membership).values("customer_id")
        )
    return qs


masking.register(
    "customers.customer",
    fields={"name": "name", "account_name": "account", "email": "email", "mobile": "phone"},
    queryset=_revealable_customers,
)


def _revealable_invitations(request):
    from .selectors import visible_invitations

    membership = getattr(request, "membership", None)
    if membership is None or not has_perm(membership, P.CUSTOMER_INVITE):
        from .models import Invitation

        return Invitation.objects.none()
    return visible_invitations(membership)


masking.register(
    "customers.invitation",
    fields={"email": "email", "mobile": "phone"},
    queryset=_revealable_invitations,
)

register_actions(
    {
        "customer.invite": _("Invited a customer"),
        "customer.invite.resend": _("Re-sent a customer invitation"),
        "customer.invite.revoke": _("Revoked a customer invitation"),
        "customer.invite.batch": _("Started a batch of customer invitations"),
        "customer.invite.expire": _("Customer invitation expired"),
        "customer.link.create": _("Created an invitation link"),
        "customer.associate": _("Customer associated"),
        "customer.associate.failed": _("Customer association failed"),
        "customer.assign_am": _("Assigned an account manager"),
        "customer.verification_setting": _("Changed sensitive-operation verification"),
        "customer.request.disassociate": _("Requested disassociation"),
        "customer.request.switch_type": _("Requested an association type switch"),
        "customer.request.agreed": _("Association request agreed"),
        "customer.request.refused": _("Association request refused"),
        "customer.request.cancelled": _("Association request cancelled"),
        "customer.authorization.request": _("Requested customer authorisation"),
        "customer.authorization.granted": _("Customer granted authorisation"),
        "customer.authorization.refused": _("Customer refused authorisation"),
        "customer.authorization.cancelled": _("Customer cancelled authorisation"),
    }
)
