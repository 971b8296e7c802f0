import re

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a partner's colleague, a customer's user, or platform staff.

    Which of these a user is follows from their links (Membership, a customer login, is_staff),
    not from a type field, so one table serves allauth for everybody.
    """

    email = models.EmailField(_("e-mail"), unique=True)
    # 账号名: the login name shown in lists and used as the default invitation tag.
    account_name = models.CharField(_("account name"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name or self.email

    def save(self, *args, **kwargs):
        if self.email:
            self.email = self.email.lower()
        if not self.account_name:
            self.account_name = self._free_account_name()
        super().save(*args, **kwargs)

    def _free_account_name(self):
        base = (
            re.sub(r"[^a-z0-9_.-]", "", (self.email or "user").split("@")[0].lower())[:48] or "user"
        )
        candidate, n = base, 1
        while User.objects.filter(account_name=candidate).exclude(pk=self.pk).exists():
            n += 1
            candidate = f"{base}{n}"
        return candidate

    @property
    def display_name(self):
        return self.name or self.account_name
