"""Periodic jobs that scan read models and issue commands (built by a later issue)."""
