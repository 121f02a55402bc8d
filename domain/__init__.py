"""Touchline's domain: event-sourced aggregates, their rules, and the Application.

Pure: no I/O, no frameworks, no clock reads. Time arrives as ``occurred_at``.
"""
