"""Child files: the child, ID numbers, categories, guardians, name search, the access log and grants."""
