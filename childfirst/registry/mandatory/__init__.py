"""Mandatory reports (强制报告): the public intake, the street's triage and the escalation of overdue reports."""
