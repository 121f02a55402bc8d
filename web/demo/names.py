"""Names for the demo's people and fallback records: invented, varied, and safe to publish.

Email domains are reserved example domains and phone numbers use the fictional 555-01xx
range, so demo data can never reach a real person.
"""

from __future__ import annotations

import random
import re
import unicodedata

FIRST_NAMES = (
    "Amara", "Ben", "Carmen", "Dmitri", "Elif", "Farah", "Gabriel", "Hana", "Ivan", "Jasmine",
    "Kwame", "Lucía", "Mateo", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Samir", "Tessa",
    "Umar", "Valentina", "Wei", "Ximena", "Yusuf", "Zoë", "Aiko", "Bruno", "Chloé", "Diego",
    "Emeka", "Freya", "Giulia", "Hassan", "Ingrid", "Jonas", "Keiko", "Liam", "Maya", "Noah",
    "Olga", "Pedro", "Rania", "Sofia", "Tomás", "Uma", "Viktor", "Wanjiru", "Yara", "Zain",
)
LAST_NAMES = (
    "Abara", "Bianchi", "Castillo", "Dubois", "Eriksen", "Fernández", "García", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "López", "Mensah", "Nakamura", "Okafor", "Petrov", "Quintero", "Rossi",
    "Schmidt", "Tanaka", "Usman", "Varga", "Wang", "Xu", "Yilmaz", "Zimmermann", "Andersson",
    "Brennan", "Chen", "Da Silva", "Evans", "Fischer", "Gonzalez", "Hughes", "Iqbal", "Kim",
    "Lindqvist", "Moreau", "Novak", "O'Brien", "Patel", "Reyes", "Sato", "Thompson", "Walker",
)
CITIES = (
    ("Chicago", "312"), ("Austin", "512"), ("Denver", "303"), ("Boston", "617"), ("Seattle", "206"),
    ("Atlanta", "404"), ("Phoenix", "602"), ("Portland", "503"), ("Miami", "305"), ("Minneapolis", "612"),
)
JOB_TITLES = (
    "office manager", "IT lead", "procurement officer", "operations director", "finance controller",
    "head of support", "store manager", "CTO", "facilities coordinator", "accounts payable clerk",
)

# Used only when the store holds no imported (Maven) companies or agents: fixed, not seeded,
# so every seed shares them and a second seed does not register them again.
FALLBACK_COMPANIES = (
    ("Bluefin Logistics", "logistics", "Chicago"), ("Harbor & Pine Dental", "medical", "Boston"),
    ("Copperleaf Foods", "retail", "Austin"), ("Northgate Software", "software", "Seattle"),
    ("Meridian Credit Union", "finance", "Denver"), ("Sunvale Clinics", "medical", "Phoenix"),
    ("Riverbend Media", "entertainment", "Atlanta"), ("Quarry Street Hotels", "services", "Portland"),
    ("Tallgrass Telecom", "telecommunications", "Minneapolis"), ("Brightwater Schools", "services", "Miami"),
    ("Ironwood Manufacturing", "technology", "Chicago"), ("Lakeshore Realty", "services", "Chicago"),
)
FALLBACK_AGENTS = (
    ("Alicia Moreno", "Support Central", "Central"), ("Brian Okoye", "Support Central", "Central"),
    ("Chen Yu", "Support Central", "Central"), ("Dana Whitfield", "Support East", "East"),
    ("Eduardo Silva", "Support East", "East"), ("Fatima Rahman", "Support East", "East"),
    ("Grace Kelleher", "Support West", "West"), ("Hiro Matsuda", "Support West", "West"),
    ("Isabel Ortega", "Support West", "West"), ("Jamal Carter", "Billing", "Central"),
)
FALLBACK_AGENT_DOMAIN = "demo.touchline.example"


def ascii_slug(value: str, sep: str = ".") -> str:
    """``"Zoë O'Brien"`` -> ``"zoe.obrien"``: for synthetic email addresses and handles."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", plain.replace("'", ""))
    return sep.join(words)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def phone_number(rng: random.Random, area: str | None = None) -> str:
    area = area or rng.choice(CITIES)[1]
    return f"+1 {area} 555 01{rng.randint(0, 99):02d}"


def personal_email(rng: random.Random, name: str) -> str:
    return f"{ascii_slug(name)}{rng.randint(1, 99)}@{rng.choice(('example.com', 'example.net', 'example.org'))}"


def work_email(name: str, company: str) -> str:
    return f"{ascii_slug(name)}@{ascii_slug(company, '-')}.example.com"


def handle(name: str) -> str:
    return "@" + ascii_slug(name, "_")
