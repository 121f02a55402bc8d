"""Read models rebuilt from the event log, and the storage settings they share with it."""
