from .models import CustomerUser


class CustomerMiddleware:
    """Sets request.customer for a customer's own login (its console's tenant)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.customer = None
        request.customer_login = None
        if request.user.is_authenticated and getattr(request, "membership", None) is None:
            login = (
                CustomerUser.objects.select_related("customer").filter(user=request.user).first()
            )
            if login is not None:
                request.customer_login = login
                request.customer = login.customer
        return self.get_response(request)
