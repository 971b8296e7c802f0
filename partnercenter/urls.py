from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path

from .api import views as api_views
from .api.site import api
from .views import access_keys, audit, health, home, i18n, members, notifications, reveal
from .views import exports as export_views

# Staff sign in through allauth (with MFA), never through the admin's own password form.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = settings.PC_BRAND
admin.site.site_title = settings.PC_BRAND

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("programs/", home.programs, name="programs"),
    path("partner/", home.partner_info, name="partner_info"),
    path("partner/access-keys/", access_keys.access_keys, name="access_keys"),
    path(
        "partner/access-keys/<id:key_id>/<str:action>/",
        access_keys.access_key_action,
        name="access_key_action",
    ),
    path("partner/api/", access_keys.api_guide, name="api_guide"),
    path("organisation/members/", members.members, name="members"),
    path("organisation/members/<id:membership_id>/role/", members.member_role, name="member_role"),
    path(
        "organisation/members/<id:membership_id>/remove/",
        members.member_remove,
        name="member_remove",
    ),
    path(
        "organisation/invitations/<id:invitation_id>/resend/",
        members.invitation_resend,
        name="member_invitation_resend",
    ),
    path(
        "organisation/invitations/<id:invitation_id>/revoke/",
        members.invitation_revoke,
        name="member_invitation_revoke",
    ),
    path("join/<str:token>/", members.member_invitation, name="member_invitation"),
    path("organisation/log/", audit.audit_log, name="audit_log"),
    path("messages/", notifications.inbox, name="notifications"),
    path("messages/badge/", notifications.badge, name="notification_badge"),
    path("messages/read-all/", notifications.mark_all_read, name="notifications_read_all"),
    path("messages/<id:notification_id>/read/", notifications.mark_read, name="notification_read"),
    path("messages/settings/", notifications.notification_settings, name="notification_settings"),
    path("exports/", export_views.export_list, name="exports"),
    path("exports/start/<str:kind>/", export_views.export_start, name="export_start"),
    path("exports/<id:job_id>/<str:fmt>/", export_views.export_download, name="export_download"),
    path("reveal/", reveal.reveal, name="reveal"),
    path("reveal/hide/", reveal.hide, name="hide"),
    path("i18n/setlang/", i18n.set_language, name="set_language"),
    path("", include("billing.urls")),
    path("", include("billing.urls_finance")),
    path("", include("customers.urls")),
    path("", include("resellers.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The partner API sits at the root: the SDK keeps only scheme and host of its endpoint.
    # Last, so that ninja's own root view never shadows the portal's home page.
    path("", api.urls),
    re_path(r"^v[23]/", api_views.unknown),
]
