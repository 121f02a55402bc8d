"""Periodic jobs that scan read models and issue commands; the outbox sender and notifiers
(SMTP email, webhooks); the leader lock. No Flask: ``web`` builds the context and runs it.
``scheduler.process`` has the jobs, ``run_once`` and the APScheduler process."""
