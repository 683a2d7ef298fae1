"""The children count table (models.CategoryCount) and its upkeep (maintain.py): every registry
action that changes what the aggregates count adjusts it in its own transaction; `rebuild` recounts
it from the files and `differences` says whether table and files agree."""
