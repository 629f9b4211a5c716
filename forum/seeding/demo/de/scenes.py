"""Die Worte der deutschen Demo für die Moderationswoche, die beruhigten und aufgeräumten
Themen und den Kalender; Reihenfolge und Zeiten spielen dieselben Module wie im Englischen."""
from __future__ import annotations

import textwrap

from ....models import Audience, Placement, Severity
from ....services.community import announcements
from ..answering import Answering
from ..calming import Heated
from ..engaging import Engaging
from ..gatherings import Calendar, Plan
from ..moderation import Filing, Week
from ..polling import Polled
from ..script import Person
from ..tidying import Tidied


def _text(value: str) -> str:
    return textwrap.dedent(value).strip()


PROXY_THREAD = "Reverse Proxy: Caddy, Traefik oder nginx?"
FIREWALL_THREAD = "OPNsense oder pfSense für die erste eigene Firewall?"
DOCKER_THREAD = "Docker auf Proxmox: LXC oder VM?"
I2C_THREAD = "I2C-Sensor liefert nach ein paar Stunden nur noch Nullen"
PETG_THREAD = "PETG zieht Fäden, egal was ich einstelle"

WEEK = Week(
    newcomers=(
        Person(
            "funkenflug", "Dennis Maier",
            "Drucker-Schrauber mit klarer Meinung zu Extrudern. Hat einen Voron und einen "
            "Bambu nebeneinander stehen.",
            "Bochum", "Europe/Berlin", 25, chattiness=0,
        ),
        Person(
            "filament_discount", "Filament-Discount24",
            "Die besten Filamentpreise im Netz! PLA, PETG und ASA in großen Mengen, Versand "
            "weltweit. Schreib uns für einen Rabattcode.",
            "Online", "UTC", 2, website="https://filament-discount.example.com",
            chattiness=0,
        ),
    ),
    hothead="funkenflug",
    shop="filament_discount",
    canned=(
        ("Bitte beim Thema bleiben", """
            Hallo {username}, bitte bleib in „{thread}“ beim eigentlichen Thema. Wenn du über
            etwas anderes reden möchtest, mach gern ein neues Thema auf: So findet die nächste
            Person mit derselben Frage die Antwort auch.
            """),
        ("Bleib freundlich", """
            Hallo {username}, klare Meinungen zu Werkzeugen sind hier willkommen, Sprüche über
            die Leute, die sie vertreten, nicht (Regel 1 unserer Gemeinschaftsregeln). Bitte
            streite mit dem Argument, nicht mit der Person.
            """),
        ("Werbung entfernt", """
            Hallo {username}, wir haben deinen Beitrag entfernt, weil er für einen Shop wirbt.
            Eigene Projekte im passenden Zusammenhang zu zeigen ist in Ordnung (Regel 4),
            Werbung nicht, und Handel gehört als normale Anzeige in den Flohmarkt.
            """),
        ("Zeitsperre zum Abkühlen", """
            Hallo {username}, nach wiederholten persönlichen Angriffen hast du für ein paar
            Tage eine Zeitsperre. Lesen kannst du weiterhin alles. Wenn du zurück bist,
            bleib bitte sachlich.
            """),
    ),
    be_kind="Bleib freundlich",
    cooling_off="Zeitsperre zum Abkühlen",
    spam_macro="Werbung entfernt",
    spam_macro_reason="Spam",
    earlier_about="datengrab",
    earlier_note=(
        "Hab letzten Monat einen persönlichen Spruch von ihm im OPNsense/pfSense-Thema "
        "entfernt; er hat sich direkt im Thema entschuldigt. Keine Sanktion, nur zur Info, "
        "falls noch mal was ist."),
    first_thread=PROXY_THREAD,
    first_body=_text("""
        Wer 2025 noch nginx-Configs von Hand schreibt, hat einfach Spaß am Leiden. Wenn du
        die Labels bei Traefik nicht hinbekommst, liegt das Problem vor dem Bildschirm, nicht
        bei Traefik. Müssen wir das echt jeden Monat neu durchkauen?
        """),
    first_reports=(Filing("kabelsalat", "harassment"),
                   Filing("selfhost_sven", "harassment",
                          "Leute als das Problem hinzustellen ist kein Argument.")),
    first_hidden="Persönlicher Angriff auf andere Mitglieder.",
    first_warning=f"Persönliche Angriffe in „{PROXY_THREAD}“",
    first_note=(
        "Verwarnt nach dem Spruch im Reverse-Proxy-Thema. Fachlich fit, der Ton ist das "
        "Problem. Wenn's wieder vorkommt, lieber eine kurze Zeitsperre als noch eine "
        "Verwarnung."),
    dismissed_thread=FIREWALL_THREAD,
    dismissed_author="leiseluefter",
    dismissed_report=Filing("jonas.p", "off_topic", "Geht's hier nicht um OPNsense?"),
    dismissed_because="Passt zum Thema: Gefragt war ja gerade der Vergleich der beiden.",
    second_thread=I2C_THREAD,
    second_body=_text("""
        Pull-ups. Es sind IMMER die Pull-ups. Wer dafür fünf Antworten braucht, sollte
        echt keinen Lötkolben anfassen.
        """),
    second_reports=(Filing("bitbastler", "harassment",
                           "Das zweite Mal diese Woche, dass er so mit Leuten redet."),
                    Filing("member", "harassment")),
    second_hidden="Persönlicher Angriff auf die Fragestellerin.",
    timeout_reason="Zweiter persönlicher Angriff innerhalb einer Woche, nach einer Verwarnung.",
    second_note=(
        "Drei Tage Zeitsperre nach der Antwort im I2C-Thema. Als Nächstes wäre eine Sperre "
        "dran; lasst uns vorher im internen Bereich drüber reden."),
    spam_board="flohmarkt",
    spam_title="[Biete] PLA und PETG in großen Mengen, 40 % Rabatt, weltweiter Versand",
    spam_body=_text("""
        Riesiger Filament-Sale! PLA, PETG und ASA ab 9,99 pro Rolle, Mengenrabatt ab zehn
        Rollen. Bestell auf filament-discount.example.com oder schreib uns per WhatsApp für
        einen Rabattcode.
        """),
    spam_answer=_text("""
        Gemeldet. Der Flohmarkt ist für Mitglieder, die ihr eigenes Zeug tauschen, nicht
        für Shops.
        """),
    spam_thread_reports=(Filing("rackmichel", "spam"), Filing("hans.w", "spam")),
    spam_reply_thread=PETG_THREAD,
    spam_reply=_text("""
        Fäden? Unser Premium-PETG zieht garantiert keine Fäden! **Diese Woche 40 % auf
        Großrollen**, Code AGORA40 auf filament-discount.example.com. Versand weltweit!
        """),
    spam_reply_reports=(Filing("zahnrad", "spam"), Filing("kabelsalat", "spam"),
                        Filing("jonas.p", "spam", "Derselbe Shop wie im Flohmarkt-Thema.")),
    shop_report=Filing("loetfuchs", "spam",
                       "Neues Konto, beide Beiträge sind Werbung für denselben Shop."),
    board_moderator="druckwerk",
    board_moderator_note=(
        "Ich glaube, derselbe Shop hat letztes Jahr schon unter anderem Namen im 3D-Druck "
        "gepostet. Den Ausschluss überlasse ich den globalen Moderatoren."),
)

HEATED = Heated(
    closed_thread=DOCKER_THREAD,
    closed_reason="Beantwortet: Die Autorin hat sich für eine VM entschieden. Für neue "
                  "Fragen bitte ein neues Thema aufmachen.",
    slow_thread=PROXY_THREAD,
    slow_reason="Zwei persönliche Angriffe innerhalb einer Woche in diesem Thema.",
    slow_notice=_text("""
        In diesem Thema gab es diese Woche zwei persönliche Angriffe, deshalb ist es für ein
        paar Tage im langsamen Modus: ein Beitrag alle 10 Minuten pro Person. Nehmt euch die
        Zeit, die Antworten zu lesen, bevor ihr antwortet. Der Vergleich an sich ist gut und
        bleibt offen.
        """),
    paused_thread=FIREWALL_THREAD,
    paused_reason="Wir drehen uns im Kreis. Einen Tag Pause, danach wieder zurück zur "
                  "eigentlichen Frage.",
)

TIDIED = Tidied(
    moved_thread="ESP-Geräte fliegen ständig aus meinem Mesh-WLAN",
    moved_to="mikrocontroller",
    moved_because="Es geht mehr um die WLAN-Einstellungen der ESPs als ums Netz: Die "
                  "Firmware-Leute sitzen bei den Mikrocontrollern.",
    merge_target="Möglichst leiser 2U-Server in der Mietwohnung?",
    asker="kabelsalat",
    repeated_title="Rackserver leise genug fürs Schlafzimmer?",
    repeated_body=_text("""
        Hab günstig eine 2U-Kiste geschossen und die klingt wie ein Föhn. Sie muss im
        Gästezimmer stehen. Gibt's irgendwas außer „anderen Server kaufen“, das es
        erträglich macht?
        """),
    replier="rackmichel",
    repeated_reply=_text("""
        Ging mir letztes Jahr genauso. Schau mal ins ältere Thema dazu: Mit den Tipps zur
        Lüfterkurve und den Noctuas ist meiner jetzt nur noch ein Brummen.
        """),
    merged_because="Gleiche Frage wie im bestehenden Thema; die Antworten bleiben an einem "
                   "Ort.",
)

QA = Plan(
    "mod", "mikrocontroller", "qa", "Frag die Expertin: Stromsparendes ESP32-Design mit Sabine",
    _text("""
        Sabine (**loetfuchs**) baut seit Jahren batteriebetriebene Sensorplatinen. Bring
        deine Fragen zu Deep Sleep, Brown-outs, Spannungsreglern und dem Messen von
        Mikroampere mit.

        Stell deine Fragen vorab im Diskussionsthema; wir gehen sie der Reihe nach durch und
        machen danach die Runde auf.
    """), in_days=4, hour=19, hours=1.5, online_url="https://meet.example.org/agora-esp32",
    going=("loetfuchs", "knopfzelle", "bitbastler", "ohmbert", "member", "lichtspiel"),
    maybe=("kabelsalat", "yunus"),
    replies=(
        ("knopfzelle", "Meine Platine zieht im Deep Sleep 1,2 mA statt der 10 µA aus dem "
                       "Datenblatt. Ist das der Ruhestrom vom LDO oder der USB-Seriell-Chip?"),
        ("ohmbert", "Wie messt ihr die Stromspitzen beim Aufwachen, ohne einen "
                    "Leistungsanalysator für 1.000 € zu kaufen?"),
    ),
)
STREAM = Plan(
    "admin", "heimserver", "livestream", "Livestream: Wir bauen das Agora-Rack neu auf",
    _text("""
        Katrin zieht die Server des Forums live in ein neues Rack um: Verkabelung,
        Proxmox-Migration und was das Strommessgerät danach sagt. Mitreden im
        Diskussionsthema.
    """), in_days=9, hour=18, hours=2, online_url="https://video.example.org/agora-live",
    going=("rackmichel", "datengrab", "leiseluefter", "paketverlust"),
    maybe=("selfhost_sven",),
    replies=(("leiseluefter", "Zeig bitte die Einstellungen der Lüfterkurve. Frage für "
                              "mein Schlafzimmer."),),
)
MEETUP = Plan(
    "druckwerk", "3d-druck", "meetup", "Druck- & Reparaturcafé in Augsburg",
    _text("""
        Ein Nachmittag im Makerspace: Bring einen missglückten Druck oder einen Drucker, der
        rumzickt, und wir kriegen ihn gemeinsam wieder hin. Kaffee und Waffeln gibt's vor Ort.
        Platz für zwölf Leute.
    """), in_days=12, hour=14, hours=4,
    location="Makerspace Augsburg, Werkstraße 12, Augsburg", capacity=12,
    deadline_days_before=2,
    going=("druckwerk", "zahnrad", "hans.w", "mira.k", "jonas.p", "yunus", "datengrab",
           "kabelsalat", "loetfuchs", "selfhost_sven", "member"),
    declined=("leiseluefter",),
    replies=(("zahnrad", "Ich bring den Prusa mit der verstopften Düse mit. Und "
                         "Waffel-Toppings!"),),
)
CONTEST = Plan(
    "mod", "werkstatt", "contest", "Winter-Bauwettbewerb: Was Nützliches für unter 20 €",
    _text("""
        Bau etwas, das du wirklich benutzt, für unter 20 € Material. Zeig deinen Beitrag vor
        Ende im Diskussionsthema, mit Fotos und Teileliste; in der letzten Woche stimmen die
        Mitglieder ab. Wenn der Wettbewerb endet, schließt das Thema für neue Beiträge.
    """), in_days=1, hour=9, hours=24 * 21,
    going=("ohmbert", "bitbastler", "zahnrad", "lichtspiel", "hans.w"),
    maybe=("member", "knopfzelle"),
    replies=(
        ("lichtspiel", "Zählt ein gedrucktes Gehäuse zu den 20 €, wenn das Filament eh "
                       "schon im Regal lag?"),
        ("mod", "Rechne das verbrauchte Filament mit etwa 2 Cent pro Gramm, alles andere mit "
                "dem, was du bezahlt hast."),
    ),
)

CALENDAR = Calendar(
    plans=(QA, STREAM, MEETUP, CONTEST),
    meetup=MEETUP,
    contest=CONTEST,
    contest_closed="Der Wettbewerb ist vorbei, neue Beiträge sind geschlossen. Danke fürs "
                   "Mitmachen!",
    banner=announcements.Draft(
        title="Morgen startet der Winter-Bauwettbewerb",
        body=_text("""
            Drei Wochen, 20 € Material, ein nützliches Ding. Lies die Regeln und mach mit auf
            der [Veranstaltungsseite](/events); Beiträge kommen ins Thema zum Wettbewerb.
        """),
        severity=Severity.SUCCESS, audience=Audience.EVERYONE, placement=Placement.BANNER,
        is_dismissible=True,
    ),
    meetup_note_title="Druck- & Reparaturcafé: Es gibt noch ein paar Plätze",
    meetup_note_body=_text("""
        Bring einen missglückten Druck oder einen störrischen Drucker mit in den Augsburger
        Makerspace. Sag auf der Veranstaltungsseite zu, damit wir wissen, wie viel Waffelteig
        wir brauchen.
    """),
)

DESK = Answering(
    solved_by_asker=("Welches Flussmittel für SMD-Nacharbeit: Paste, Gel oder Stift?", 2),
    solved_by_team=("Wie reiche ich einen USB-Zigbee-Stick an einen LXC-Container durch?", 1),
    unsolved="Warum zeigt mein Multimeter 0,3 V an einem Draht, der nirgends dranhängt?",
    unanswered="Proxmox sauber herunterfahren, wenn der USV-Akku leer wird",
    appeal=(
        "Die Verwarnung nehme ich an, aber drei Tage für eine ruppige Antwort sind viel. Ich "
        "helfe seit Wochen in den Druck-Themen mit. Könnt ihr die Zeitsperre auf einen Tag "
        "verkürzen? Ich bleibe sachlich."),
    event_question=("kabelsalat", "Darf ich ein Projekt einreichen, das ich letzten Monat "
                                  "angefangen habe, wenn ich es während des Wettbewerbs "
                                  "fertig baue?"),
)


POLLED = Polled(
    thread="Bambu oder Prusa als erster Drucker?",
    question="Welchen Drucker würdest du heute kaufen?",
    options=("Bambu Lab P1S", "Prusa MK4S", "Etwas anderes", "Den alten reparieren"),
    votes=(5, 4, 2, 1),
)


ENGAGING = Engaging(
    challenge=Plan(
        "mod", "werkstatt", "contest", "Fotowettbewerb: Die aufgeräumte Werkbank",
        "Zeig die Ecke deiner Werkbank, auf die du am meisten stolz bist. Die Einreichung ist "
        "vorbei; stimm auf der Seite der Beiträge für bis zu zwei Favoriten ab, bis die "
        "Gewinner feststehen.",
        in_days=3, hour=18, hours=1,
        going=("zahnrad", "hans.w", "lichtspiel", "bitbastler"),
        replies=(("selfhost_sven", "Meine Stimme kriegt der Kabelkamm, ist doch klar."),),
    ),
    entries=(
        ("zahnrad", "Lochwand mit gedruckten Haken",
         "Vierzig gedruckte Haken, einer pro Werkzeug, und hinter jedem der Umriss."),
        ("hans.w", "Beschriftete Schubladen",
         "Endlich jede Schublade im Teileschrank beschriftet. Widerstände nach Dekaden "
         "sortiert."),
        ("lichtspiel", "LED-Streifen unterm Regal",
         "Ein 4000-K-Streifen mit Diffusor: keine Schatten mehr auf der Platine beim Löten."),
        ("bitbastler", "Kabelkamm fürs Labornetzteil",
         "Ein gedruckter Kamm hält die Messleitungen auseinander. Drei Stunden Druck, kein "
         "Kabelsalat mehr."),
    ),
    votes=(("ohmbert", (0, 2)), ("knopfzelle", (0,)), ("loetfuchs", (1, 0)),
           ("member", (2,)), ("kabelsalat", (3, 0))),
    qa_title="Frag die Expertin: Stromsparendes ESP32-Design mit Sabine",
    expert="loetfuchs",
    questions=(
        ("knopfzelle", "Meine Platine zieht im Deep Sleep 1,2 mA statt 10 µA. Ist das der "
                       "Ruhestrom vom LDO oder der USB-Seriell-Chip?"),
        ("ohmbert", "Wie messt ihr die Stromspitzen beim Aufwachen ohne teuren "
                    "Leistungsanalysator?"),
        ("bitbastler", "Lohnt sich für Batterieprojekte der Umstieg vom ESP32 auf den "
                       "ESP32-C3?"),
        ("lichtspiel", "Welche Brown-out-Schwelle stellst du für eine einzelne LiFePO4-Zelle "
                       "ein?"),
    ),
    question_votes=(("member", (0, 1)), ("kabelsalat", (0,)), ("hans.w", (0, 3)),
                    ("selfhost_sven", (1,)), ("lichtspiel", (2,))),
)
