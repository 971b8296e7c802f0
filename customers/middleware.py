from .models import CustomerUser


class CustomerMiddleware:
    """Sets request.customer for a customer's own login (its console's tenant), and keeps a
    partner colleague acting for a customer (代客下单) to the ordering pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.customer = None
        request.customer_login = None
        request.acting_as = None
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            from .acting import resolve

            # 代客下单: a partner colleague acting for a customer works in that customer's console.
            request.acting_as = request.customer = resolve(request)
        elif request.user.is_authenticated:
            login = (
                CustomerUser.objects.select_related("customer").filter(user=request.user).first()
            )
            if login is not None:
                request.customer_login = login
                request.customer = login.customer
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(request, "acting_as", None) is None:
            return None
        from .acting import refusal

        return refusal(request)
