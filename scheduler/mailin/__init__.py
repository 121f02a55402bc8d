"""Email in: parse and classify inbound mail (``parse``), keep its bytes (``store``), turn it into
touchpoints and cases or quarantine it (``inbound``); the transports: an SMTP listener
(``smtp``) and an IMAP poller (``imap``)."""
