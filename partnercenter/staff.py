"""Platform staff groups (Django staff users): who in Huawei's role does what in the admin."""

from django.utils.translation import gettext_lazy as _

CHANNEL_MANAGER = "渠道经理"  # channel manager: credit limits, remittance confirmation
ACCOUNT_MANAGER = "华为客户经理"  # Huawei account manager: business discounts
PROGRAM_REVIEWER = "计划审核员"  # program reviewer: reseller applications

GROUP_LABELS = {
    CHANNEL_MANAGER: _("Channel manager"),
    ACCOUNT_MANAGER: _("Huawei account manager"),
    PROGRAM_REVIEWER: _("Program reviewer"),
}

# Model permissions each group gets in the admin (app_label.codename). Apps extend this list.
GROUP_PERMISSIONS = {
    CHANNEL_MANAGER: [
        "partnercenter.view_partner",
        "partnercenter.view_programmembership",
        "partnercenter.view_auditevent",
    ],
    ACCOUNT_MANAGER: ["partnercenter.view_partner"],
    PROGRAM_REVIEWER: [
        "partnercenter.view_partner",
        "partnercenter.view_programmembership",
        "partnercenter.change_programmembership",
    ],
}


def in_group(user, name):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff) and (
        user.is_superuser or user.groups.filter(name=name).exists()
    )


def sync_groups():
    """Create the groups and grant their permissions; idempotent (run after migrate)."""
    from django.contrib.auth.models import Group, Permission

    for name, perms in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.add(*wanted)
