"""Django's admin site, with the one change security needs: its password change form checks
the old password through the login lockouts.

Django's own form calls ``user.check_password()``, which django-axes never sees: a stolen
admin session could guess the password behind it without limit. Here the old password goes
through ``authenticate()`` with the request, like every login, so failures count per
username and address, a locked-out user is refused (429, the form saying why), and with
throttling the "credentials" rate applies (api/throttling.py).
"""

from typing import Any, cast

from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import authenticate
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache


class LockoutPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change my password" form; a wrong old password is a failed login."""

    request: HttpRequest

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        user = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if user is None or user.pk != self.user.pk:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class LockoutPasswordChangeView(PasswordChangeView):
    form_class = LockoutPasswordChangeForm

    def get_form(self, form_class: Any = None) -> LockoutPasswordChangeForm:
        form = cast(LockoutPasswordChangeForm, super().get_form(form_class))
        form.request = self.request  # authenticate() needs it: django-axes keys on it
        return form


class AdminSite(admin.AdminSite):
    """``admin.site`` in this project (api.apps.AdminConfig.default_site)."""

    def password_change(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        # AdminSite.password_change, with the view above.
        request.current_app = self.name
        options: dict[str, Any] = {
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            options["template_name"] = self.password_change_template
        # never_cache: the form and its answers are for this user only (Django's admin
        # wraps its views to be cacheable).
        view = never_cache(LockoutPasswordChangeView.as_view(**options))
        return cast(TemplateResponse, view(request))
