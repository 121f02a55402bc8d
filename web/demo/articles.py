"""The demo's knowledge articles: published once, before the history, so acknowledgements of
the demo's cases link to the ones that match their topics (``web.demo.texts.CASE_TOPICS``).

Ids are fixed like the demo's SLA policies: every demo shares them and a re-run stores nothing.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.application import Touchline
from domain.errors import AlreadyExistsError
from web.demo.population import ACTOR

ARTICLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Charged twice? How duplicate charges are refunded",
     "A payment sometimes shows twice while the bank holds the first attempt. Holds drop off by "
     "themselves within 5 working days; a real duplicate charge is refunded to the same card "
     "within 3-5 working days of your request. Quote your invoice number when you contact us.",
     ("charged-twice", "refund", "invoice")),
    ("Where is my order? Tracking a delivery",
     "Every shipment has a tracking link in its dispatch email. If tracking has not moved for two "
     "working days, tell us the order number and we will chase the carrier for you.",
     ("order", "delivered", "tracking")),
    ("Cannot sign in to the customer portal",
     "Use 'Forgot password' on the sign-in page; the reset link is valid for one hour. Accounts "
     "lock for 15 minutes after five failed attempts. Single sign-on users sign in through their "
     "company's identity provider.",
     ("sign-in", "portal", "password")),
    ("Installing and updating your product",
     "Download the installer from your account page, close running copies first, and restart once "
     "the update finishes. If the product stops responding after an update, reinstall the previous "
     "version from the same page and tell us the version numbers.",
     ("installing", "update", "stops-responding")),
    ("Returns, refunds and warranty claims",
     "Products can be returned within 30 days; refunds are issued when the return arrives. Warranty "
     "claims need the serial number and a short description of the fault.",
     ("returned", "refund", "warranty")),
)


def _article_id(title: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/demo/knowledge-article/{title}")


def publish_articles(app: Touchline, *, at: datetime) -> int:
    """Draft and publish the demo's articles not stored yet (as of ``at``); how many were."""
    published = 0
    for title, body, tags in ARTICLES:
        article_id = _article_id(title)
        if app.recorder.select_events(article_id, limit=1):
            continue  # stored by an earlier demo (and perhaps edited since: left as it is)
        try:
            app.draft_article(id=article_id, title=title, body=body, tags=tags, occurred_at=at, actor=ACTOR)
        except AlreadyExistsError:  # another demo run got there first
            continue
        app.publish_article(article_id, occurred_at=at, actor=ACTOR)
        published += 1
    return published
