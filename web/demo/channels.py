"""How a contact reads on each channel, and which contact point it used."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Where contacts come in (weights), and the channels agents reach out on.
INBOUND_WEIGHTS = {"email": 24, "phone": 22, "chat": 16, "web_form": 10, "messenger": 8, "social": 8,
                   "sms": 6, "visit": 4, "callback": 3}
OUTBOUND_WEIGHTS = {"phone": 28, "email": 28, "sms": 10, "visit": 8, "messenger": 6, "social": 5,
                    "chat": 6, "web_form": 5, "callback": 4}
# Channels where the agent answers within the same conversation (no separate reply contact).
LIVE = ("phone", "chat", "visit", "callback")
# Where an agent's written reply goes, by the channel the customer used.
REPLY_CHANNEL = {"web_form": "email", "phone": "phone", "visit": "email", "chat": "email", "callback": "phone"}
NETWORKS = ("LinkedIn", "X", "Facebook", "Instagram")

INBOUND = {
    "phone": "{name} called: {words}",
    "email": 'Email from {name}: "{words}"',
    "sms": "Text from {name}: {words}",
    "chat": "Web chat with {name} ({minutes} min): {words}",
    "messenger": "WhatsApp message from {name}: {words}",
    "social": "Public {network} post by {handle}: {words}",
    "web_form": 'Contact form from {name}: "{words}"',
    "visit": "{name} came to the front desk: {words}",
    "callback": "{name} returned our missed call: {words}",
}
OUTBOUND = {
    "phone": "Called {name}: {words}",
    "email": "Emailed {name}: {words}",
    "sms": "Texted {name}: {words}",
    "chat": "Proactive chat with {name} ({minutes} min): {words}",
    "messenger": "WhatsApp to {name}: {words}",
    "social": "Replied to {handle} on {network} and moved to private messages: {words}",
    "web_form": "Sent {name} the online form to complete: {words}",
    "visit": "On-site visit to {name}: {words}",
    "callback": "Called {name} back at the time they chose: {words}",
}


@dataclass(frozen=True)
class Contact:
    """The person on the other end: a B2C customer, or someone at a company account."""

    name: str
    email: str
    phone: str
    handle: str
    title: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.title})" if self.title else self.name


def pick_channel(rng: random.Random, direction: str, *, exclude: tuple[str, ...] = ()) -> str:
    weights = INBOUND_WEIGHTS if direction == "inbound" else OUTBOUND_WEIGHTS
    names = [c for c in weights if c not in exclude]
    return rng.choices(names, weights=[weights[c] for c in names])[0]


def contact_point(channel: str, contact: Contact) -> str | None:
    if channel in ("email", "web_form"):
        return contact.email
    if channel in ("phone", "sms", "callback"):
        return contact.phone
    if channel in ("social", "messenger"):
        return contact.handle
    return None  # chat and visits carry no address


def summary(rng: random.Random, channel: str, direction: str, contact: Contact, words: str) -> str:
    template = (INBOUND if direction == "inbound" else OUTBOUND)[channel]
    return template.format(name=contact.label, handle=contact.handle, words=words,
                           network=rng.choice(NETWORKS), minutes=rng.randint(4, 35))
