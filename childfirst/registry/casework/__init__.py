"""Case work on a child file: visits, guardianship-risk assessments, the supervisor's tasks and
one-to-one assistance."""
