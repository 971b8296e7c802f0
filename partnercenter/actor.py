"""Who is acting: passed (keyword-only `actor=`) to every service that changes state."""

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class Actor:
    user: object | None
    partner: object | None = None
    membership: object | None = None
    ip: str | None = None
    via: str = "web"  # web | api | admin | task | system
    access_key_id: str = ""
    acting_as: object | None = None  # the customer a partner user acts for (代客下单)
    customer: object | None = None  # set when a customer's own login acts in its console
    # A signed API write request: its signature is used up in the transaction of the change
    # (partnercenter.api.replay; audit.record claims it).
    signed_request: object | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def system(cls, partner=None):
        return cls(user=None, partner=partner, via="system")

    @classmethod
    def from_request(cls, request, *, via="web"):
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        return cls(
            user=user,
            partner=getattr(request, "partner", None),
            membership=getattr(request, "membership", None),
            ip=client_ip(request),
            via=via,
            access_key_id=getattr(request, "access_key_id", ""),
            acting_as=getattr(request, "acting_as", None),
            customer=getattr(request, "customer", None),
        )


def client_ip(request):
    # Behind the deployment's proxy REMOTE_ADDR is the proxy; X-Forwarded-For is only believed
    # when settings say a proxy we run sets it (otherwise anyone could write the audit's IP).
    if settings.PC_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None
