from .models import Membership


class TenancyMiddleware:
    """Sets request.membership and request.partner: the tenant every partner query starts from.

    Plain attributes (not lazy objects) so that `request.partner is None` means what it says.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.partner = None
        if request.user.is_authenticated:
            request.membership = (
                Membership.objects.active()
                .select_related("partner", "partner__distributor")
                .filter(user=request.user)
                .first()
            )
            if request.membership is not None:
                request.partner = request.membership.partner
        return self.get_response(request)
