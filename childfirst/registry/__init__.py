"""The children's information platform: child files and the work around them, scoped by area,
every access logged. Only aggregate counts ever leave this app."""
