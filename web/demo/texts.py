"""What the demo's customers and agents talk about: case topics and one-off contacts.

Placeholders: ``{product}``, ``{other}`` (a second product), ``{order}``, ``{invoice}``.
Products are Maven CRM's, so the demo reads naturally on top of the imported accounts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PRODUCTS = ("GTX Basic", "GTX Pro", "MG Special", "MG Advanced", "GTX Plus Basic", "GTX Plus Pro", "GTK 500")


@dataclass(frozen=True)
class CaseTopic:
    subject: str
    kind: str  # touchpoint kind of the contact that raises it
    detail: str  # the customer's words
    note: str  # an agent's internal note
    reply: str  # an agent's public reply
    handover: str  # what the next agent needs, so the customer repeats nothing
    promise: str  # what an agent promises while it is open
    resolution: str
    chase: str  # the customer chasing it
    reopen: str  # why it came back


CASE_TOPICS = (
    CaseTopic("Invoice {invoice} charged twice", "complaint",
              "We were charged twice for invoice {invoice}; please refund the duplicate.",
              "Payment gateway shows two captures for {invoice}, 4 minutes apart.",
              "Sorry about the double charge on {invoice}. I have asked billing to refund the duplicate.",
              "Duplicate capture on {invoice} confirmed in the gateway; refund not issued yet.",
              "confirm the refund of the duplicate charge on {invoice}",
              "Duplicate charge on {invoice} refunded; confirmation sent.",
              "Still no refund for the duplicate charge on {invoice}.",
              "The refund for {invoice} has not arrived on the card statement."),
    CaseTopic("Order {order} not delivered", "complaint",
              "Order {order} was due on Monday and nothing has arrived.",
              "Carrier tracking stuck at the regional hub since Friday.",
              "I have opened a trace with the carrier for order {order} and will keep you posted.",
              "Carrier trace opened for {order}; customer needs it before the end of the week.",
              "send an update on the carrier trace for order {order}",
              "Order {order} re-shipped by express; delivered and signed for.",
              "Any news on order {order}? It is still not here.",
              "Order {order} arrived with a damaged box and a missing power cable."),
    CaseTopic("{product} stops responding after the update", "complaint",
              "Since last night's update our {product} freezes every few hours.",
              "Reproduced on firmware 4.2 with logging enabled; looks like the known memory leak.",
              "Thanks for the logs. Please roll back to firmware 4.1 while we prepare a fix.",
              "{product} freezes on firmware 4.2; rollback worked on one unit, the other still hangs.",
              "call back once engineering has a patched {product} firmware",
              "Firmware 4.2.1 installed remotely; {product} stable for 72 hours.",
              "The {product} froze again this morning; we need this fixed.",
              "The {product} froze again after the patch."),
    CaseTopic("Cannot sign in to the customer portal", "request",
              "The portal says my account is locked and the reset email never arrives.",
              "Account locked after 5 failed attempts; reset emails bounced (old address on file).",
              "I have unlocked your account and updated the email address on file.",
              "Portal account unlocked; the customer still gets no reset email, check the spam filter.",
              "check that the reset email arrives and confirm the login works",
              "Login confirmed working; old address removed from the account.",
              "Still locked out of the portal.",
              "Locked out again after the password change."),
    CaseTopic("Renewal quote for {product} licences", "sales",
              "Our {product} licences renew next month; we need a quote for 25 seats.",
              "Eligible for the 10% multi-year discount; check with the account manager.",
              "Attached is the renewal quote for 25 {product} seats, with the multi-year option.",
              "Renewal quote for {product} sent; customer is comparing one- and three-year terms.",
              "send the revised three-year {product} renewal quote",
              "Renewal signed for three years; licences extended.",
              "Waiting for the {product} renewal quote.",
              "The signed renewal shows 20 seats instead of 25."),
    CaseTopic("Help installing {product}", "request",
              "Our technician cannot get {product} past the network setup step.",
              "Customer's VLAN blocks port 8443; needs a firewall rule.",
              "Please open port 8443 on the firewall; the guide is attached.",
              "{product} install blocked by the firewall; IT contact is on site Tuesdays only.",
              "join a screen-share with their IT contact to finish the {product} setup",
              "{product} installed and registered during a remote session.",
              "{product} setup still not finished.",
              "{product} lost its network settings after a power cut."),
    CaseTopic("Upgrade from {product} to {other}", "sales",
              "We want to move from {product} to {other}; what happens to our data?",
              "Migration tool supports this path; data stays, downtime about 30 minutes.",
              "The upgrade keeps all your data; we can schedule it outside office hours.",
              "Upgrade {product} -> {other} agreed in principle; needs a date and a signed order.",
              "send the upgrade order form and proposed dates",
              "Upgraded to {other} overnight; customer confirmed everything works.",
              "Still waiting to hear when the {other} upgrade can happen.",
              "Reports are missing after the upgrade to {other}."),
    CaseTopic("Refund for returned {product}", "request",
              "We returned the {product} two weeks ago and have not been refunded.",
              "Warehouse received the return on the 3rd; refund not triggered.",
              "The return reached our warehouse; the refund is being processed now.",
              "Return of {product} received; refund stuck in finance approval.",
              "confirm the refund date for the returned {product}",
              "Refund for the returned {product} paid.",
              "Where is my refund for the {product}?",
              "The refund was for the wrong amount."),
    CaseTopic("Warranty claim for {product}", "complaint",
              "Our {product} has a cracked casing after 8 months; it is under warranty.",
              "Serial is within warranty; photos show a manufacturing defect.",
              "Your claim is approved; a replacement {product} is on its way.",
              "Warranty claim approved; replacement {product} to be shipped, old unit to be collected.",
              "arrange collection of the faulty {product}",
              "Replacement {product} delivered and faulty unit collected.",
              "No news on the {product} warranty replacement.",
              "The replacement {product} has the same fault."),
    CaseTopic("Change of billing address", "request",
              "We moved offices; please update our billing address before the next invoice.",
              "New address verified against the company registry.",
              "Your billing address is updated; the next invoice will use it.",
              "Billing address change requested; needs proof of address from the customer.",
              "confirm the billing address change in writing",
              "Billing address updated and confirmed.",
              "Is the new billing address on file yet?",
              "Invoice {invoice} still went to the old address."),
    CaseTopic("Cancel the {product} subscription", "request",
              "We would like to cancel our {product} subscription at the end of the term.",
              "Customer is unhappy with the price; offer the retention discount first.",
              "Before we cancel, we can offer 20% off {product} for the next year.",
              "Customer wants to cancel {product}; retention offer made, waiting for their answer.",
              "call back about the retention offer for {product}",
              "Customer accepted the retention offer and stays on {product}.",
              "Please confirm that the {product} subscription is cancelled.",
              "Customer changed their mind about the retention offer."),
)


@dataclass(frozen=True)
class ContactTopic:
    subject: str
    kind: str
    direction: str
    detail: str
    promise: str  # what an agent may promise during the contact


CONTACT_TOPICS = (
    ContactTopic("Price of {product} for 20 seats", "inquiry", "inbound",
                 "Asked for list and volume pricing of {product}.", "send a volume quote for {product}"),
    ContactTopic("Does {product} support single sign-on?", "inquiry", "inbound",
                 "Wants SAML single sign-on for {product}; explained the setup.", "send the SSO setup guide"),
    ContactTopic("Opening hours over the holidays", "inquiry", "inbound",
                 "Asked about support hours over the holidays.", "email the holiday support schedule"),
    ContactTopic("Praise for the support team", "feedback", "inbound",
                 "Thanked the team for the quick fix last week.", "pass the thanks on to the team lead"),
    ContactTopic("Suggestion for the {product} dashboard", "feedback", "inbound",
                 "Suggested a dark mode and CSV export on the {product} dashboard.",
                 "report back on the {product} roadmap"),
    ContactTopic("Interested in a {product} demo", "sales", "inbound",
                 "Wants a demo of {product} for their operations team.", "book a {product} demo"),
    ContactTopic("Copies of last year's invoices", "request", "inbound",
                 "Asked for copies of last year's invoices for the audit.", "send last year's invoices"),
    ContactTopic("Renewal reminder for {product}", "sales", "outbound",
                 "Reminded them that {product} renews next month; discussed seat count.",
                 "send the {product} renewal terms"),
    ContactTopic("Invitation to the {product} webinar", "sales", "outbound",
                 "Invited them to the {product} webinar; two people registered.", "send the webinar recording"),
    ContactTopic("Checking in after the {product} installation", "follow_up", "outbound",
                 "Checked that {product} runs well since the installation; no issues.",
                 "send the {product} training material"),
    ContactTopic("Quarterly account review", "follow_up", "outbound",
                 "Quarterly review: usage up 12%, asked about adding {other}.", "send a proposal for {other}"),
    ContactTopic("Upsell: {other} trial", "sales", "outbound",
                 "Offered a 30-day {other} trial alongside {product}.", "set up the {other} trial"),
)

PEND_NOTES = {
    "awaiting_customer": ("Asked for the serial number and a photo.", "Asked the customer to confirm the order number.",
                          "Waiting for the customer's IT contact to reply."),
    "on_hold": ("Waiting on a reply from the carrier or supplier.", "Waiting for finance approval.",
                "Escalated to engineering; waiting for their findings."),
}
CANCEL_REASONS = ("Customer sorted it out themselves.", "Customer asked us not to call.",
                  "Superseded by a newer request.", "Duplicate of another promise.")
RESCHEDULE_REASONS = ("Customer asked to move the call.", "Engineer unavailable that day.",
                      "Waiting for a part from the supplier.", "Customer's office closed that day.")
RATING_COMMENTS = {1: "Took far too long.", 2: "Had to explain it twice.", 3: "Fixed, eventually.",
                   4: "Good, thanks.", 5: "Fast and friendly, thank you!"}


def fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values)


def case_values(rng: random.Random) -> dict[str, str]:
    """The concrete product, order and invoice one case is about."""
    product, other = rng.sample(PRODUCTS, 2)
    return {"product": product, "other": other, "order": f"SO-{rng.randint(10000, 99999)}",
            "invoice": f"INV-{rng.randint(2020000, 2029999)}"}
