"""Auditors' reads: every look at history or an export is itself recorded, and the pure
rules of replaying a stream as of a version, a business instant or a recorded instant."""
