from django.urls import path

from .views import apply, my_resellers, reseller, review

app_name = "resellers"

urlpatterns = [
    # 销售 > 云经销商 > 云经销商管理 (distributors)
    path("resellers/", my_resellers.reseller_list, name="list"),
    path("resellers/review/", review.review_list, name="review"),
    path("resellers/review/batch/", review.review_batch, name="review_batch"),
    path("resellers/review/<id:pk>/", review.review_one, name="review_one"),
    path("resellers/assign-manager/", my_resellers.assign_manager, name="assign_manager"),
    path("resellers/invite/", my_resellers.invite, name="invite"),
    path(
        "resellers/invitations/<id:invitation_pk>/revoke/",
        my_resellers.invitation_revoke,
        name="invitation_revoke",
    ),
    path("resellers/<id:reseller_pk>/managers/", my_resellers.managers, name="managers"),
    path(
        "resellers/<id:reseller_pk>/authorization/",
        my_resellers.authorization,
        name="authorization",
    ),
    path("resellers/<id:reseller_pk>/exit/", my_resellers.end_cooperation, name="exit"),
    path("resellers/<id:reseller_pk>/funds/<str:action>/", my_resellers.adjust, name="adjust"),
    # The reseller's own side
    path("my-distributor/", reseller.my_distributor, name="distributor"),
    # Applicants (signed in, not yet a partner)
    path("reseller-program/apply/", apply.apply, name="apply"),
    path("reseller-program/application/", apply.application, name="application"),
    path("reseller-program/distributors/", apply.distributor_options, name="distributor_options"),
    path("reseller-program/join/<str:token>/", apply.join, name="join"),
]
