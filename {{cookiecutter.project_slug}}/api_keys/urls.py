from django.urls import path

from api_keys import views

urlpatterns = [
    path("", views.APIKeyList.as_view(), name="api-key-list"),
    path("<int:pk>/", views.APIKeyDetail.as_view(), name="api-key-detail"),
]
