from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import NotificationPreferencesForm
from ..models import Notification, NotificationCategory, NotificationPreference
from ..notifications import unread_count
from ..pagination import paginate
from ..redirects import safe_target


@login_required
def inbox(request):
    qs = Notification.objects.filter(recipient=request.user)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page_obj = paginate(request, qs)
    template = "partnercenter/notifications.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(request, template, {"page_obj": page_obj, "hx_target": "#notifications-table"})


@login_required
def badge(request):
    return render(
        request, "partnercenter/_notification_badge.html", {"count": unread_count(request.user)}
    )


@require_POST
@login_required
def mark_read(request, notification_id):
    n = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    if request.POST.get("open") and n.url:
        # The link was written by the portal, but it is followed like any other target.
        return redirect(safe_target(request, n.url, "notifications"))
    return redirect("notifications")


@require_POST
@login_required
def mark_all_read(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    messages.success(request, _("All messages marked as read."))
    return redirect("notifications")


@login_required
def notification_settings(request):
    current = dict(
        NotificationPreference.objects.filter(user=request.user).values_list("category", "email")
    )
    form = NotificationPreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for category in NotificationCategory.values:
                NotificationPreference.objects.update_or_create(
                    user=request.user,
                    category=category,
                    defaults={"email": form.cleaned_data[category]},
                )
        messages.success(request, _("Message settings saved."))
        return redirect("notification_settings")
    return render(request, "partnercenter/notification_settings.html", {"form": form})
