"""Wiring into customers and the shell: balances in the customer list, row actions, the home
widget, the customer's 调账记录, and 解绑回收 when a 代售 association ends."""

from django.utils.translation import gettext_lazy as _

from customers import rules as customer_rules
from customers.views import console as customer_console
from customers.views import customer_list
from partnercenter.audit import register_actions
from partnercenter.management.commands.seed_demo import SEEDERS
from partnercenter.nav import CUSTOMER_TREE, E
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


def _consumption_columns(request, rows):
    """本月消费 and the arrears badge: one query each for the page."""
    from .selectors import debts_by_customer, month_consumption_by_customer

    ids = [a.customer_id for a in rows]
    month = month_consumption_by_customer(request.partner.pk, ids)
    debts = debts_by_customer(ids)
    for a in rows:
        a.month_consumption = month.get(a.customer_id, ZERO)
        a.arrears = debts.get(a.customer_id)


customer_list.ROW_DECORATORS.extend([_balances, _consumption_columns])
customer_list.HEAD_TEMPLATES.append(
    ("billing/list/_head_balance.html", "billing/list/_cell_balance.html")
)
customer_list.HEAD_TEMPLATES.append(
    ("billing/list/_head_month.html", "billing/list/_cell_month.html")
)
customer_list.ROW_ACTION_TEMPLATES.append("billing/list/_row_actions.html")
customer_list.MORE_ACTION_TEMPLATES.append("billing/list/_more_actions.html")
customer_list.BATCH_ACTION_TEMPLATES.append("billing/list/_batch_recover.html")


def _detail(request, context):
    from partnercenter.pagination import paginate

    from . import ledger
    from .models import Resource
    from .selectors import outstanding_debt, resources_due

    association = context["association"]
    customer = association.customer
    if association.is_resale:
        balance = ledger.customer_account(customer).balance
        context.setdefault("summary_rows", []).append((_("Available balance"), f"{balance:,.2f}"))
        context.setdefault("detail_action_templates", []).append(
            "billing/list/_detail_actions.html"
        )
    debt = outstanding_debt(customer)
    if debt > 0:
        context.setdefault("summary_rows", []).append((_("Arrears"), f"{debt:,.2f}"))
    context["due"] = {d: resources_due(customer, d).count() for d in (7, 15, 30)}
    context.setdefault("overview_templates", []).append("billing/customer_overview.html")
    context.setdefault("detail_tabs", []).append(("resources", _("Resources")))
    if context.get("tab") == "resources":
        mode = request.GET.get("mode")
        qs = Resource.objects.filter(customer=customer).select_related("spec__product")
        if mode in ("1", "3"):
            qs = qs.filter(charging_mode=int(mode))
        context.update(
            page_obj=paginate(request, qs),
            mode=mode,
            hx_target="#resources-list",
            htmx_partial="billing/_resources_table.html#table",
        )
        context.setdefault("tab_templates", []).append("billing/customer_resources.html")


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


def _in_arrears(customer):
    from .selectors import outstanding_debt

    return outstanding_debt(customer) > 0


def _debt_check(association):
    from .selectors import outstanding_debt

    debt = outstanding_debt(association.customer)
    if debt > 0:
        return customer_rules.FailedCheck(
            "IS_DEBT",
            _("The customer owes %(debt)s yuan: allocate funds to write the arrears off first.")
            % {"debt": f"{debt:,.2f}"},
        )
    return None


def _unpaid_orders_check(association):
    from .models import Order, OrderStatus

    n = Order.objects.filter(
        customer=association.customer, status=OrderStatus.PENDING_PAYMENT
    ).count()
    if n:
        return customer_rules.FailedCheck(
            "HAS_UNPAID_ORDER",
            _("%(n)s order(s) await payment: pay or cancel them first.") % {"n": n},
        )
    return None


customer_rules.ARREARS_CHECKS.append(_in_arrears)
customer_rules.DISASSOCIATION_CHECKS.extend([_debt_check, _unpaid_orders_check])


def _write_off(customer, *, actor, partner, cash):
    from .services.rating import write_off_arrears

    write_off_arrears(customer, actor=actor, partner=partner, cash=cash)


def _register_allocation_hook():
    from .services import funds

    funds.AFTER_ALLOCATION.append(_write_off)


_register_allocation_hook()

CUSTOMER_TREE.append(
    E(
        "console.orders",
        _("Products and orders"),
        children=[
            E("console.products", _("Select products"), "billing:console_products"),
            E(
                "console.orderlist",
                _("My orders"),
                "billing:console_orders",
                also=("billing:console_order",),
            ),
            E("console.resources", _("My resources"), "billing:console_resources"),
        ],
    )
)


def _seed(stdout):
    from .seed import seed, seed_book_money, seed_orders
    from .seed_finance import seed_finance
    from .services.bills import generate_bills

    seed(stdout)  # before seed_finance: it skips partners that already have transfers
    seed_finance(stdout)
    seed_orders(stdout)
    seed_book_money(stdout)
    generate_bills()  # last month's bills from the demo consumption (idempotent)


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
        "money.rating": _("Charged pay-per-use usage"),
        "money.writeoff": _("Wrote off arrears"),
        "order.create": _("Created an order"),
        "order.pay": _("Paid an order"),
        "order.cancel": _("Cancelled an order"),
        "resource.release": _("Released a resource"),
        "acting.start": _("Started operating as a customer"),
        "acting.stop": _("Switched back to the partner account"),
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

from . import exports_orders  # noqa: E402,F401  (registers the order and consumption exports)
