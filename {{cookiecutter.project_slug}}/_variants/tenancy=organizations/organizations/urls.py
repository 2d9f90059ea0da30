"""/api/orgs/...: organizations, their members, invitations, notes, audit trail and API
keys; and accepting."""

from django.urls import URLPattern, URLResolver, include, path

from api import views as notes
from organizations import views

organization_routes: list[URLPattern | URLResolver] = [
    path("", views.OrganizationDetail.as_view(), name="organization-detail"),
    path("members/", views.MembershipList.as_view(), name="membership-list"),
    path("members/<int:user_id>/", views.MembershipDetail.as_view(), name="membership-detail"),
    path("invitations/", views.InvitationList.as_view(), name="invitation-list"),
    path("invitations/<int:pk>/", views.InvitationDetail.as_view(), name="invitation-detail"),
    path("audit-events/", views.AuditEventList.as_view(), name="audit-event-list"),
    path("keys/", include("api_keys.urls")),
    path("notes/", notes.NoteList.as_view(), name="note-list"),
    path("notes/<int:pk>/", notes.NoteDetail.as_view(), name="note-detail"),
]

urlpatterns = [
    path("orgs/", views.OrganizationList.as_view(), name="organization-list"),
    path("orgs/<slug:slug>/", include(organization_routes)),
    path("invitations/accept/", views.AcceptInvitation.as_view(), name="invitation-accept"),
]
