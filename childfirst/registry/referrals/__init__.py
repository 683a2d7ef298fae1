"""Referrals of a child file to a department, and what the department sees of it."""
