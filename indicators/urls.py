from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.city, name="city"),
    path("co-quan/<int:pk>/", views.agency, name="agency"),
    path("thu-tuc/<int:pk>/", views.procedure, name="procedure"),
    path("chi-so-nam/", views.indices, name="indices"),
    path("cong-khai/", views.disclosure, name="disclosure"),
]
