"""Pages of the linkage part (namespace "linkage"): the office's department lists and comparison of two
lists; verification tasks and clerical review."""

from django.urls import path

from . import import_views, review_views, task_views

app_name = "linkage"

urlpatterns = [
    path("", import_views.index, name="index"),
    path("imports/upload", import_views.upload, name="upload"),
    path("imports/<int:pk>/", import_views.import_detail, name="import"),
    path("imports/<int:pk>/progress", import_views.import_progress, name="import_progress"),
    path("pair/", import_views.pair, name="pair"),
    path("pair/<int:pk>/", import_views.pair_job, name="pair_job"),
    path("pair/<int:pk>/download", import_views.pair_download, name="pair_download"),
    path("tasks/", task_views.task_list, name="tasks"),
    path("tasks/counts/", task_views.task_counts, name="task_counts"),
    path("tasks/<int:pk>/", task_views.task_detail, name="task"),
    path("tasks/<int:pk>/confirm/", task_views.task_confirm, name="task_confirm"),
    path("tasks/<int:pk>/open-file/", task_views.task_open_file, name="task_open_file"),
    path("tasks/<int:pk>/reject/", task_views.task_reject, name="task_reject"),
    path("review/", review_views.review_list, name="reviews"),
    path("review/<int:pk>/", review_views.review_detail, name="review"),
    path("review/<int:pk>/decide/", review_views.review_decide, name="review_decide"),
    path("review/<int:pk>/undo/", review_views.review_undo, name="review_undo"),
]
