from django.urls import path

from .views import accept, acting, console, customer_list, invitations, records

app_name = "customers"

urlpatterns = [
    path("customers/", customer_list.customer_list, name="list"),
    path("customers/assign-manager/", customer_list.assign_manager, name="assign_manager"),
    path("customers/records/", records.records, name="records"),
    path("customers/records/<id:event_pk>/handle/", records.handle, name="handle"),
    path("customers/records/<id:event_pk>/cancel/", records.cancel, name="cancel"),
    path("customers/<id:customer_pk>/", customer_list.customer_detail, name="detail"),
    path("customers/<id:customer_pk>/authorization/", customer_list.authorize, name="authorize"),
    path("customers/<id:customer_pk>/order-on-behalf/", acting.start, name="act_start"),
    path("switch-role/", acting.stop, name="act_stop"),
    path("customers/<id:customer_pk>/<str:event_type>/", records.change, name="change"),
    path("development/", invitations.invite, name="invite"),
    path("development/batches/<id:batch_pk>/", invitations.batch, name="batch"),
    path("development/links/<id:link_pk>/qr.svg", invitations.link_qr, name="link_qr"),
    path("development/invitations/", invitations.invitations, name="invitations"),
    path(
        "development/invitations/<id:invitation_pk>/<str:action>/",
        invitations.invitation_action,
        name="invitation_action",
    ),
    path("invite/<str:token>/", accept.accept, name="accept"),
    path("console/partner/", console.console, name="console"),
    path("console/partner/notice/<id:signature_pk>/", console.notice, name="notice"),
    path("console/security/", console.security, name="console_security"),
    path(
        "console/partner/disassociate/", console.request_disassociation, name="console_disassociate"
    ),
    path("console/requests/<id:event_pk>/respond/", console.respond, name="console_respond"),
    path("console/requests/<id:event_pk>/cancel/", console.cancel, name="console_cancel"),
    path(
        "console/authorizations/<id:authorization_pk>/<str:action>/",
        console.authorization,
        name="console_authorization",
    ),
]
