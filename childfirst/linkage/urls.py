"""Pages of the linkage part (namespace "linkage")."""

from django.urls import path

from . import review_views, task_views

app_name = "linkage"
urlpatterns = [
    path("tasks/", task_views.task_list, name="tasks"),
    path("tasks/counts/", task_views.task_counts, name="task_counts"),
    path("tasks/<int:pk>/", task_views.task_detail, name="task"),
    path("tasks/<int:pk>/confirm/", task_views.task_confirm, name="task_confirm"),
    path("tasks/<int:pk>/open-file/", task_views.task_open_file, name="task_open_file"),
    path("tasks/<int:pk>/reject/", task_views.task_reject, name="task_reject"),
    path("review/", review_views.review_list, name="reviews"),
    path("review/<int:pk>/", review_views.review_detail, name="review"),
    path("review/<int:pk>/decide/", review_views.review_decide, name="review_decide"),
]
