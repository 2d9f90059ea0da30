from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from users.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("Access", {"fields": ("tier",)}))
    list_display = ("username", "email", "tier", "is_staff", "is_active")
    list_filter = ("tier", *DjangoUserAdmin.list_filter)
