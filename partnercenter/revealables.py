"""Which masked values of this app may be revealed, and within which scope."""

from . import masking
from .models import MemberInvitation, User
from .permissions import P, has_perm


def _members(request):
    if not has_perm(request.membership, P.MEMBERS_MANAGE):
        return User.objects.none()
    return User.objects.filter(
        memberships__partner=request.partner, memberships__removed_at__isnull=True
    )


def _invitations(request):
    if not has_perm(request.membership, P.MEMBERS_MANAGE):
        return MemberInvitation.objects.none()
    return MemberInvitation.objects.filter(partner=request.partner)


def register_all():
    masking.register(
        "members.user",
        fields={"email": "email", "mobile": "phone", "name": "name"},
        queryset=_members,
    )
    masking.register("members.invitation", fields={"email": "email"}, queryset=_invitations)
