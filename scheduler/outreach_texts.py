"""The built-in texts of the outreach messages (surveys, win-back offers), merged into
``scheduler.templates.BUILT_IN``. Each ends with its unsubscribe link (the email also carries
it in the List-Unsubscribe header)."""

from __future__ import annotations

OUTREACH_TEMPLATES: dict[str, tuple[str, str]] = {
    "survey": (
        "[{{ code }}] How did we do?",
        ('Dear {{ customer }},\n\nYour request "{{ subject }}" ({{ code }}) was resolved. Would you tell us how '
         "we did? One question, one minute:\n\n{{ survey_link }}\n\nThank you.\n\n"
         "To receive no more surveys: {{ unsubscribe_link }}"),
    ),
    "winback": (
        "We miss you, {{ customer }}",
        ("Dear {{ customer }},\n\nIt has been a while since we heard from you. Welcome back: the code "
         "{{ coupon }} gives you a discount on your next order.\n\n"
         "To receive no more offers: {{ unsubscribe_link }}"),
    ),
}

OUTREACH_SAMPLES: dict[str, dict[str, str]] = {
    "survey": {"customer": "Ada Lovelace", "code": "CASE-000123", "subject": "Printer jams",
               "survey_link": "https://touchline.example/survey/eyJj...",
               "unsubscribe_link": "https://touchline.example/unsubscribe/eyJt..."},
    "winback": {"customer": "Ada Lovelace", "coupon": "WB-7KQ2-M4XD-P9TA",
                "unsubscribe_link": "https://touchline.example/unsubscribe/eyJt..."},
}
