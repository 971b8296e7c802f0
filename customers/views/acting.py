from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter.decorators import partner_required
from partnercenter.errors import DomainError
from partnercenter.permissions import P

from .. import acting
from ..selectors import visible_associations


@partner_required(P.CUSTOMER_ORDER_ON_BEHALF)
def start(request, customer_pk):
    """代客下单: a confirm step, then the session acts as the customer."""
    association = (
        visible_associations(request.membership)
        .select_related("customer")
        .filter(customer_id=customer_pk)
        .first()
    )
    if association is None:
        raise Http404
    problem = acting.acting_problem(request.membership, association)
    if request.method == "POST" and problem is None:
        try:
            customer = acting.start(request, customer_pk)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.info(
                request,
                _("You are now operating as the customer %(name)s.") % {"name": customer.name},
            )
            return redirect("billing:console_products")
    return render(
        request,
        "customers/acting_start.html",
        {"association": association, "customer": association.customer, "problem": problem},
        status=400 if problem and request.method == "POST" else 200,
    )


@require_POST
def stop(request):
    """切换角色: back to the partner account."""
    customer = acting.stop(request)
    if customer is not None:
        messages.info(request, _("You are back in your partner account."))
        return redirect("customers:detail", customer_pk=customer.pk)
    return redirect("home")
