"""Wer in der deutschen Demo-Gemeinschaft mitredet, und wo."""
from __future__ import annotations

from ....models import Access
from ..script import BoardSpec, CategorySpec, Person

CATEGORIES = (
    CategorySpec(
        "Die Werkstatt",
        "Neuigkeiten, Vorstellungen und Tauschbörse unter Mitgliedern.",
        (
            BoardSpec(
                "ankuendigungen",
                "Ankündigungen",
                "Neues vom Team: Wartungsarbeiten, neue Funktionen und die Gemeinschaftsregeln.",
                is_read_only=True,
            ),
            BoardSpec(
                "werkstatt",
                "Vorstellungen & Werkstattgeplauder",
                "Sag Hallo, zeig uns deinen Arbeitsplatz und quatsch über alles rund ums "
                "Basteln.",
            ),
            BoardSpec(
                "flohmarkt",
                "Flohmarkt",
                "Biete, suche, verschenke: Geräte und Bauteile unter Mitgliedern. Nur für "
                "Mitglieder sichtbar, damit Preise und Abholadressen nicht in Suchmaschinen "
                "landen.",
                access=Access.MEMBERS,
            ),
        ),
    ),
    CategorySpec(
        "Homelab",
        "Server, Netzwerk und alles, was du selbst betreibst.",
        (
            BoardSpec(
                "heimserver",
                "Heimserver & Netzwerk",
                "Proxmox, ZFS, Firewalls, VPN, Self-Hosting und die Stromrechnung.",
            ),
        ),
    ),
    CategorySpec(
        "Elektronik & Basteln",
        "Was du baust, druckst, flashst und reparierst.",
        (
            BoardSpec(
                "mikrocontroller",
                "Mikrocontroller",
                "ESP32, RP2040, Arduino & Co.: Firmware, Sensoren und Stromversorgung.",
            ),
            BoardSpec(
                "3d-druck",
                "3D-Druck",
                "Drucker, Slicer, Filament und die Drucke, die nicht ganz geklappt haben.",
            ),
            BoardSpec(
                "reparatur",
                "Reparatur & Restaurierung",
                "Löten, Messtechnik und alten Geräten neues Leben einhauchen.",
            ),
            BoardSpec(
                "fragen",
                "Kurze Fragen",
                "Eine Frage, eine Antwort: Frag alles rund um Werkbank und Homelab und markiere "
                "die Antwort, die dir geholfen hat.",
                is_questions=True,
            ),
        ),
    ),
    CategorySpec(
        "Team",
        "Nur für das Moderationsteam und die Administration sichtbar.",
        (
            BoardSpec(
                "moderation",
                "Moderationsteam intern",
                "Hier bespricht das Team Meldungen, Regeln und schwierige Themen.",
                access=Access.STAFF,
            ),
        ),
    ),
)

PEOPLE = (
    Person(
        "admin", "Katrin Vogel",
        "Betreibt die Server hinter Agora und am Wochenende ein kleines Rack im Keller.\n\n"
        "- Proxmox-Cluster aus drei Mini-PCs\n- Zu viele Raspberry Pis in der Schublade\n\n"
        "Wenn auf der Seite was klemmt: schreib's einfach in irgendein Thema, ich lese mit.",
        "Hamburg", "Europe/Berlin", 420,
        website="https://katrin.example.net", role="admin", chattiness=1,
    ),
    Person(
        "mod", "Tobias Brandt",
        "Moderator. Tagsüber Embedded-Entwickler, abends restauriere ich **alte "
        "Synthesizer**.\n\nFragen zu den Regeln? Frag mich, ich erkläre lieber, als zu löschen.",
        "Köln", "Europe/Berlin", 400, role="moderator", chattiness=1,
    ),
    Person(
        "member", "Jana Kraus",
        "Backend-Entwicklerin, lerne gerade, welches Ende vom Lötkolben heiß ist. "
        "Baue eine Wetterstation und meinen ersten Heimserver.",
        "Leipzig", "Europe/Berlin", 45, chattiness=2,
    ),
    Person(
        "loetfuchs", "Sabine Hartmann",
        "ESP32 in allen Lebenslagen. Ich entwerfe kleine Sensorplatinen und verkaufe ein paar "
        "davon.\n\n> Zweimal messen, einmal flashen.",
        "Stuttgart", "Europe/Berlin", 380, website="https://loetfuchs.example.org",
        chattiness=4,
    ),
    Person(
        "ohmbert", "Bernd Schulze",
        "Elektroingenieur, hauptsächlich Netzteile. Repariere Messgeräte aus Spaß und "
        "gelegentlich gegen Geld.",
        "Dortmund", "Europe/Berlin", 350, chattiness=4,
    ),
    Person(
        "paketverlust", "Mehmet Yılmaz",
        "Netzwerker. Schaue mir gern deine Firewall-Regeln an, dein Kabelmanagement eher "
        "ungern.",
        "Frankfurt am Main", "Europe/Berlin", 300, chattiness=3,
    ),
    Person(
        "hans.w", "Hans Wagner",
        "Rundfunktechniker im Ruhestand. Röhrenradios, Amateurfunk und den Enkeln das Löten "
        "beibringen.\n\nFür Tauschgeschäfte: hans.wagner@example.com",
        "Bremen", "Europe/Berlin", 260, chattiness=3,
    ),
    Person(
        "selfhost_sven", "Sven Otto",
        "Hoste alles selbst, was sich selbst hosten lässt, und ein paar Sachen, die man "
        "besser nicht sollte. Kein Backup, kein Mitleid.",
        "Berlin", "Europe/Berlin", 330, website="https://sven.example.dev", chattiness=3,
    ),
    Person(
        "druckwerk", "Lukas Berger",
        "Sechs Drucker in der Garage, moderiere den 3D-Druck-Bereich. Frag mich zur ersten "
        "Schicht.",
        "Augsburg", "Europe/Berlin", 290, chattiness=3, moderates=("3d-druck",),
    ),
    Person(
        "mira.k", "Mira Köhler",
        "Produktdesignerin, über die Hausautomation hier gelandet und nie wieder weg.",
        "Freiburg im Breisgau", "Europe/Berlin", 180, chattiness=2,
    ),
    Person(
        "knopfzelle", "Anna Lehmann",
        "Low-Power-Sensoren. Wenn's ein Jahr mit einer Knopfzelle läuft, bin ich dabei.",
        "Dresden", "Europe/Berlin", 210, chattiness=2,
    ),
    Person(
        "rackmichel", "Michael Wolf",
        "Homelab seit den Zeiten des Dell 2950. Mein Ziel: Das Rack soll weniger Strom "
        "ziehen als der Kühlschrank.",
        "Hannover", "Europe/Berlin", 240, chattiness=3,
    ),
    Person(
        "bitbastler", "Felix Neumann",
        "Student, Bastler, Kaputtmacher. Lerne Netzwerke auf die harte Tour.",
        "Graz", "Europe/Vienna", 120, chattiness=2,
    ),
    Person(
        "leiseluefter", "Claudia Schmitt",
        "Server mag ich wie Bibliotheken: leise. Sysadmin, Katzenhalterin.",
        "Nürnberg", "Europe/Berlin", 160, chattiness=2,
    ),
    Person(
        "kabelsalat", "Tim Krüger",
        "Mediaserver-Fan und Elektriker wider Willen.",
        "Kassel", "Europe/Berlin", 140, chattiness=2,
    ),
    Person(
        "zahnrad", "Lea Fischer",
        "Cosplay-Requisiten, 3D-Druck und viel zu viel Schleifen. "
        "Portfolio: [leabaut](https://leabaut.example.com)",
        "Wien", "Europe/Vienna", 90, website="https://leabaut.example.com", chattiness=2,
    ),
    Person(
        "jonas.p", "Jonas Peters",
        "Hab ein Jahr mitgelesen, jetzt schreib ich auch mal. Lerne drucken und löten.",
        "Münster", "Europe/Berlin", 30, chattiness=1,
    ),
    Person(
        "lichtspiel", "Lena Hoffmann",
        "LED-Streifen, WLED und die Wohnung in einen Club verwandeln. "
        "Hauptberuflich Beleuchterin am Theater.",
        "Zürich", "Europe/Zurich", 50, chattiness=2,
    ),
    Person(
        "yunus", "Yunus Aydın",
        "Mechatronik-Student. Baue für meine Abschlussarbeit einen selbstbalancierenden "
        "Roboter, langsam.",
        "Duisburg", "Europe/Berlin", 3, chattiness=1,
    ),
    Person(
        "datengrab", "Stefan Richter",
        "Datenhorter. ZFS-Verfechter. Hat noch jede Festplatte seit 2003.",
        "Regensburg", "Europe/Berlin", 200, chattiness=2,
    ),
)
