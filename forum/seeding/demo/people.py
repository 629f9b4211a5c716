"""Who lives in the demo community, and where they talk."""
from __future__ import annotations

from ...models import Access
from .script import BoardSpec, CategorySpec, Person

# Logins printed after seeding; every other demo account gets a random password.
DEMO_LOGINS = (
    ("admin", "admin-demo-pass", "administrator"),
    ("mod", "mod-demo-pass", "moderator"),
    ("member", "member-demo-pass", "member"),
)

CATEGORIES = (
    CategorySpec(
        "The workshop",
        "News, introductions and trading between members.",
        (
            BoardSpec(
                "announcements",
                "Announcements",
                "News from the team: maintenance, new features and community guidelines.",
                is_read_only=True,
            ),
            BoardSpec(
                "introductions",
                "Introductions & workshop chat",
                "Say hello, show us your bench, and talk about anything maker-adjacent.",
            ),
            BoardSpec(
                "swap-and-sell",
                "Swap & sell",
                "Buy, sell and give away gear between members. Members only, so prices and "
                "pickup details stay off search engines.",
                access=Access.MEMBERS,
            ),
        ),
    ),
    CategorySpec(
        "Home lab",
        "Servers, networks and the services you run yourself.",
        (
            BoardSpec(
                "servers",
                "Servers & virtualisation",
                "Proxmox, TrueNAS, ZFS, racks, noise and the power bill.",
            ),
            BoardSpec(
                "networking",
                "Networking",
                "VLANs, firewalls, VPNs, Wi-Fi and pulling cable through old houses.",
            ),
            BoardSpec(
                "self-hosting",
                "Self-hosting",
                "Home Assistant, Nextcloud, media servers, reverse proxies and backups.",
            ),
        ),
    ),
    CategorySpec(
        "Electronics & making",
        "Things you build, print, flash and fix.",
        (
            BoardSpec(
                "microcontrollers",
                "Microcontrollers",
                "ESP32, RP2040, Arduino and friends: firmware, sensors and power.",
            ),
            BoardSpec(
                "3d-printing",
                "3D printing",
                "Printers, slicers, filament and the prints that didn't quite work.",
            ),
            BoardSpec(
                "repair",
                "Repair & restoration",
                "Soldering, test gear, and bringing old equipment back to life.",
            ),
            BoardSpec(
                "questions",
                "Quick questions",
                "One question, one answer: ask anything about the bench or the home lab, and "
                "mark the reply that solved it.",
                is_questions=True,
            ),
        ),
    ),
    CategorySpec(
        "Staff",
        "Only moderators and administrators can see this.",
        (
            BoardSpec(
                "moderators-lounge",
                "Moderators' lounge",
                "Where the team talks about reports, rules and the odd difficult thread.",
                access=Access.STAFF,
            ),
        ),
    ),
)

PEOPLE = (
    Person(
        "admin", "Rosa Lindqvist",
        "Runs the servers behind Agora and, on weekends, a small rack of her own.\n\n"
        "- Proxmox cluster of three mini PCs\n- Too many Raspberry Pis in a drawer\n\n"
        "If something on the site is broken, tell me in any thread and I'll see it.",
        "Stockholm, Sweden", "Europe/Stockholm", 420,
        website="https://rosa.example.net", role="admin", chattiness=1,
    ),
    Person(
        "mod", "Tomás Ferreira",
        "Moderator. Embedded developer by day, restorer of **old synthesisers** by night.\n\n"
        "Questions about the rules? Ask me; I'd rather explain than delete.",
        "Porto, Portugal", "Europe/Lisbon", 400, role="moderator", chattiness=1,
    ),
    Person(
        "member", "Sam Patel",
        "Backend developer slowly learning which end of the soldering iron is hot. "
        "Currently building a weather station and a first home server.",
        "Leeds, UK", "Europe/London", 45, chattiness=2,
    ),
    Person(
        "kestrel", "Ines Kowalczyk",
        "ESP32 everything. I design small sensor boards and sell a few on Tindie.\n\n"
        "> Measure twice, flash once.",
        "Kraków, Poland", "Europe/Warsaw", 380, website="https://kestrel.example.org",
        chattiness=4,
    ),
    Person(
        "volt_age", "Marcus Webb",
        "Electronics engineer (power supplies, mostly). I repair test gear for fun and "
        "occasionally for money.",
        "Bristol, UK", "Europe/London", 350, chattiness=4,
    ),
    Person(
        "packetloss", "Priya Raman",
        "Network engineer. Happy to look at your firewall rules; less happy to look at "
        "your cable management.",
        "Bengaluru, India", "Asia/Kolkata", 300, chattiness=3,
    ),
    Person(
        "hobbs", "Dave Hobbs",
        "Retired broadcast technician. Valve radios, ham radio (KD8QXR) and teaching the "
        "grandkids to solder.\n\nFor swaps: dave.hobbs@example.com",
        "Dayton, Ohio", "America/New_York", 260, chattiness=3,
    ),
    Person(
        "nyx", "Nyx",
        "Self-hosts everything that can be self-hosted, and a few things that shouldn't be. "
        "Backups or it didn't happen.",
        "Berlin, Germany", "Europe/Berlin", 330, website="https://nyx.example.dev",
        chattiness=3,
    ),
    Person(
        "printfarm", "Jonas Berg",
        "Runs six printers in a garage and moderates the 3D printing board. "
        "Ask me about first layers.",
        "Oslo, Norway", "Europe/Oslo", 290, chattiness=3, moderates=("3d-printing",),
    ),
    Person(
        "lena.m", "Lena Moreau",
        "Product designer who got into home automation and never came back.",
        "Lyon, France", "Europe/Paris", 180, chattiness=2,
    ),
    Person(
        "ohm_my", "Keiko Tanaka",
        "Low-power sensor nerd. If it runs for a year on a coin cell, I'm interested.",
        "Osaka, Japan", "Asia/Tokyo", 210, chattiness=2,
    ),
    Person(
        "rackjack", "Jack Sullivan",
        "Homelab since the Dell 2950 days. Currently trying to make my rack use less "
        "power than my fridge.",
        "Austin, Texas", "America/Chicago", 240, chattiness=3,
    ),
    Person(
        "beepboop", "Ade Adeyemi",
        "Student, tinkerer, breaker of things. Learning networking the hard way.",
        "Lagos, Nigeria", "Africa/Lagos", 120, chattiness=2,
    ),
    Person(
        "quietfan", "Elena Petrova",
        "I like my servers like my libraries: silent. Sysadmin, cat owner.",
        "Sofia, Bulgaria", "Europe/Sofia", 160, chattiness=2,
    ),
    Person(
        "gus", "Gustavo Ruiz",
        "Media server enthusiast and reluctant electrician.",
        "Mexico City", "America/Mexico_City", 140, chattiness=2,
    ),
    Person(
        "tinkerbelle", "Hannah Cole",
        "Cosplay props, 3D printing and far too much sanding. "
        "Portfolio: [hannahmakes](https://hannahmakes.example.com)",
        "Melbourne, Australia", "Australia/Melbourne", 90,
        website="https://hannahmakes.example.com", chattiness=2,
    ),
    Person(
        "ziggy", "Ziggy Marsh",
        "Lurked for a year, finally posting. Learning to print and solder.",
        "Vancouver, Canada", "America/Vancouver", 30, chattiness=1,
    ),
    Person(
        "lumen", "Aoife Brennan",
        "LED strips, WLED and making the house look like a nightclub. "
        "Day job: lighting technician for a theatre.",
        "Galway, Ireland", "Europe/Dublin", 50, chattiness=2,
    ),
    Person(
        "fennec", "Yusuf Demir",
        "Mechatronics student. Building a self-balancing robot for my final project, "
        "slowly.",
        "Istanbul, Türkiye", "Europe/Istanbul", 3, chattiness=1,
    ),
    Person(
        "okapi", "Ben Carter",
        "Data hoarder. ZFS apologist. Lives in the future (UTC+12).",
        "Auckland, New Zealand", "Pacific/Auckland", 200, chattiness=2,
    ),
)
