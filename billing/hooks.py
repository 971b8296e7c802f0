"""Wiring into customers and the shell: balances in the customer list, row actions, the home
widget, the customer's 调账记录, and 解绑回收 when a 代售 association ends."""

from django.utils.translation import gettext_lazy as _

from customers import rules as customer_rules
from customers.views import console as customer_console
from customers.views import customer_list
from partnercenter.audit import register_actions
from partnercenter.management.commands.seed_demo import SEEDERS
from partnercenter.views.home import HOME_WIDGETS

from .models import ZERO, Account, AccountKind


def _balances(request, rows):
    """可用额度: one query for the page's 代售 customers."""
    resale = [a for a in rows if a.is_resale]
    balances = dict(
        Account.objects.filter(
            kind=AccountKind.CUSTOMER_CASH, customer_id__in=[a.customer_id for a in resale]
        ).values_list("customer_id", "balance")
    )
    for a in rows:
        a.available = balances.get(a.customer_id, ZERO) if a.is_resale else None


customer_list.ROW_DECORATORS.append(_balances)
customer_list.HEAD_TEMPLATES.append(
    ("billing/list/_head_balance.html", "billing/list/_cell_balance.html")
)
customer_list.ROW_ACTION_TEMPLATES.append("billing/list/_row_actions.html")
customer_list.BATCH_ACTION_TEMPLATES.append("billing/list/_batch_recover.html")


def _detail(request, context):
    from . import ledger

    association = context["association"]
    if association.is_resale:
        balance = ledger.customer_account(association.customer).balance
        context.setdefault("summary_rows", []).append((_("Available balance"), f"{balance:,.2f}"))
        context.setdefault("detail_action_templates", []).append(
            "billing/list/_detail_actions.html"
        )


customer_list.DETAIL_DECORATORS.append(_detail)


def _home_widget(request):
    from partnercenter.permissions import P, has_perm

    from . import ledger

    if not has_perm(request.membership, P.FUNDS_VIEW):
        return None
    funds = ledger.partner_funds(request.partner)
    return {"template": "billing/_home_balance.html", "funds": funds, "col": "col-lg-8"}


HOME_WIDGETS.append(_home_widget)


def _console_adjustments(request):
    from .models import ADJUSTMENT_RECORD_TYPES, Transfer

    records = (
        Transfer.objects.filter(customer=request.customer, trade_type__in=ADJUSTMENT_RECORD_TYPES)
        .select_related("partner")
        .order_by("-created_at")[:100]
    )
    from . import ledger

    return {
        "adjustments": records,
        "customer_balance": ledger.customer_account(request.customer).balance,
    }


customer_console.CONSOLE_TABS.append(
    (
        "adjustments",
        _("Adjustment records"),
        "billing/console_adjustments.html",
        _console_adjustments,
    )
)


def _unbind(association, *, actor, event):
    from .services.funds import return_balance_on_unbind

    return_balance_on_unbind(association, actor=actor, event=event)


customer_rules.ON_ASSOCIATION_ENDED.append(_unbind)


def _seed(stdout):
    from .seed import seed

    seed(stdout)


SEEDERS.append(_seed)

register_actions(
    {
        "money.beadjust": _("Allocated funds to a customer"),
        "money.beretrieve": _("Recovered funds from a customer"),
        "money.beunbind": _("Unbinding recovery"),
        "money.recharge": _("Recharged the account"),
        "money.adjust": _("Staff correction"),
        "money.credit_limit": _("Changed the credit limit"),
        "money.remittance_claim": _("Claimed a remittance"),
        "money.remittance_reject": _("Rejected a remittance claim"),
    }
)


def _staff_permissions():
    from partnercenter import staff

    staff.GROUP_PERMISSIONS[staff.CHANNEL_MANAGER] += [
        "billing.view_account",
        "billing.view_transfer",
        "billing.view_creditlimitchange",
        "billing.add_creditlimitchange",
        "billing.view_manualadjustment",
        "billing.add_manualadjustment",
        "billing.view_remittanceclaim",
        "billing.change_remittanceclaim",
    ]


_staff_permissions()
