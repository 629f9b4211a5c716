"""Announcements, introductions and the members-only trading board."""
from __future__ import annotations

from .script import Reply as R
from .script import ThreadScript as T

THREADS = (
    T(
        "announcements", "admin", "Welcome to Agora — start here",
        """
        Welcome! Agora is a forum for people who build things at home: home labs,
        self-hosted services, microcontrollers, 3D printers, and the occasional rescued
        oscilloscope. Beginners are as welcome as people who've been doing this for decades.

        ## Where to post

        | Board | For |
        |---|---|
        | Introductions & workshop chat | Saying hello, bench updates, anything else |
        | Servers & virtualisation | Proxmox, ZFS, hardware, noise and power |
        | Networking | VLANs, firewalls, VPNs, Wi-Fi, cabling |
        | Self-hosting | The services you run: Home Assistant, Nextcloud, media, backups |
        | Microcontrollers | ESP32, RP2040, Arduino, sensors, firmware |
        | 3D printing | Printers, slicers, filament, failed prints |
        | Repair & restoration | Soldering, test gear, old equipment |
        | Swap & sell | Trading between members (visible to members only) |

        ## Formatting

        Posts are written in Markdown. Please put configs, logs and code in a fenced code
        block, with the language after the backticks, so they stay readable:

        ~~~markdown
        ```yaml
        services:
          homeassistant:
            image: ghcr.io/home-assistant/home-assistant:stable
        ```
        ~~~

        Before your first post, have a quick look at the
        [community guidelines](/b/announcements). They're short, promise.
        """,
        day=58.5, pinned=True,
        replies=(
            R("mod", """
                One more tip for getting good answers: say what you already tried and paste
                the exact error message. A photo of the wiring beats a paragraph describing it.
                """),
        ),
    ),
    T(
        "announcements", "mod", "Community guidelines",
        """
        Agora works because people are generous with what they know. A few rules keep it
        that way:

        1. **Be kind, argue with ideas.** Strong opinions about software are fine; remarks
           about the people holding them are not.
        2. **Show your work.** When asking for help, say what you tried and paste the exact
           error.
        3. **Safety first.** Mains voltage, lithium batteries and large capacitors can hurt
           you. If someone warns you, take it seriously.
        4. **No spam or undisclosed affiliate links.** Sharing your own project or shop is
           fine in context; say that it's yours.
        5. **Keep trades in Swap & sell**, and personal details out of public posts.
        6. **Report, don't retaliate.** If a post breaks the rules, report it and let the
           moderators handle it.

        Moderators may edit a post to remove personal information, and will say so when
        they do.
        """,
        day=57.8, pinned=True,
        edit="""
        **Added later:**

        7. **Say when an answer comes from an AI tool**, and check it yourself before posting.
           Confidently wrong answers waste everyone's time, and in electronics they can be
           dangerous.
        """,
        edit_after=35 * 24,
        replies=(
            R("admin", "Thanks Tomás. Pinned both this and the welcome thread."),
            R("mod", """
                Added rule 7 about answers written by AI tools, after a couple of pasted
                replies turned out to be confidently wrong about pin numbers. Nothing else
                changed.
                """, after=35 * 24 + 1),
        ),
    ),
    T(
        "announcements", "admin", "Maintenance on Sunday morning: database upgrade",
        """
        This Sunday between **07:00 and 08:00 UTC** the forum will be unavailable for up to
        half an hour while we move the database to a bigger machine and a newer PostgreSQL.

        Nothing needs doing on your side. If you're writing a long post around then, copy it
        somewhere safe before you hit *Post*, just in case.
        """,
        day=20,
        replies=(
            R("admin", """
                All done: the move took 14 minutes and everything is back. Pages should feel a
                little quicker. If anything looks odd (missing posts, trouble logging in),
                reply in any thread and mention it, and I'll take a look.
                """, after=62),
        ),
    ),
    # -- introductions & workshop chat --------------------------------------------------
    T(
        "introductions", "kestrel", "What's on your bench this week?",
        """
        A running thread for whatever you're working on, however small. Finished projects not
        required, half-finished ones encouraged.

        I'll start: reworking my soil moisture sensor boards. The v2 capacitive probes
        corrode far less than the old ones, but the ESP32-C3 draws more in deep sleep than I
        expected. Currently chasing a stray 40 µA.
        """,
        day=56, span_days=54, pinned=True,
        replies=(
            R("volt_age", """
                Replacing the electrolytics in a Tektronix 2465 power supply. Eleven caps,
                four of them leaking. The smell of old electrolyte is the smell of my weekends.
                """),
            R("rackjack", """
                Pulling the last spinning drives out of my NAS and replacing them with two big
                SSDs. Expected saving: 28 W. Expected drop in "what is that humming?" questions
                from my wife: priceless.
                """),
            R("tinkerbelle", """
                Sanding. Still sanding. A helmet that took 40 hours to print and will take 40
                more to finish.
                """),
            R("hobbs", """
                Aligning the IF stages on a Hallicrafters S-38. My signal generator is older
                than I am, which is saying something.
                """),
            R("kestrel", "That's a lovely old set. Write it up in Repair when it's done!",
              quote=4),
            R("member", """
                Soldered headers onto a BME280 breakout. All four pins, all shiny. I'm
                unreasonably proud.
                """),
            R("volt_age", """
                As you should be. Do a hundred more and they'll all look like that without you
                thinking about it.
                """, quote=6),
            R("ohm_my", """
                Measuring the real battery life of a CR2032 sensor node. Day 41: 2.94 V, still
                reporting every ten minutes.
                """),
            R("nyx", """
                Moving my mail server off a VPS I've had since 2015. Wish me luck. And DKIM.
                """),
            R("printfarm", """
                Rebuilding the hotend on printer #4. Heat creep, caused by a fan that was
                spinning but only at half speed. Fans lie.
                """),
            R("gus", """
                Nothing glamorous: labelling every cable behind the TV. The label maker was the
                best purchase I've made this year.
                """),
            R("lumen", """
                A 16 × 24 pixel WLED matrix behind frosted acrylic on a bookshelf. It plays
                Tetris now. Nobody asked for that.
                """),
            R("beepboop", """
                Fixing my own mistake: I put my laptop on the IoT VLAN and then spent an hour
                wondering why I couldn't reach anything.
                """),
            R("packetloss", """
                We have all done this. The firewall is always doing exactly what you told it to.
                """, quote=13),
            R("okapi", """
                First scrub of a 40 TB pool after moving house. Fourteen hours in, zero errors.
                Tense.
                """),
            R("quietfan", """
                Swapping the stock fans in a Supermicro chassis for Noctuas. Details in the
                Servers board; short version is 12 dB quieter.
                """),
            R("ziggy", """
                My daughter and I built the crystal radio hobbs suggested in my intro thread!
                It picks up exactly one station, faintly, and she is thrilled.
                """),
            R("hobbs", """
                That made my week. One station is one more than the universe owes anybody.
                Next step: a longer antenna. Run as much wire as you can out of a window.
                """, quote=17),
            R("lena.m", """
                A wall panel for Home Assistant: an old Kindle in jailbreak mode showing the
                weather, the calendar and which bin goes out this week.
                """),
            R("kestrel", """
                Update from me: the 40 µA was the regulator's quiescent current. Swapped it for
                an MCP1700 and deep sleep is down to 9 µA. Datasheets don't lie, but they
                don't volunteer information either.
                """),
            R("rackjack", """
                Final number after the SSD swap: 31 W saved, not 28. Spreadsheet updated,
                smugness at nominal levels.
                """),
            R("member", """
                The weather station is reporting to Home Assistant! The temperature reads 2 °C
                high because the sensor sits right next to the ESP32. Lesson learned about
                sensor placement.
                """),
        ),
    ),
    T(
        "introductions", "member", "Hi, I'm Sam: software developer learning hardware",
        """
        Hi all! I've written backend code for about ten years but never touched hardware
        beyond plugging in a Raspberry Pi. This year I want to change that.

        Current plans:

        1. A weather station for the garden (temperature, humidity, maybe wind)
        2. A small home server, to replace my photo storage subscription
        3. Learn to solder without burning myself (too late for that one)

        I have a cheap multimeter and a breadboard kit. Advice on what to buy next, or what
        to avoid, is very welcome.
        """,
        day=44,
        replies=(
            R("kestrel", """
                Welcome Sam! For a weather station, an ESP32 plus a BME280 is the classic
                combination. Avoid the DHT11: it's cheap for a reason. Post your progress in
                Microcontrollers, we love a build log.
                """),
            R("volt_age", """
                Welcome. Next purchase: a decent temperature-controlled iron. Everything else
                gets easier with a good iron. I'll stop there before this turns into an essay
                about tips.
                """),
            R("hobbs", "Ha! Forty years in and I still grab the wrong end occasionally. Welcome.",
              quote=0,
              quote_text="Learn to solder without burning myself (too late for that one)"),
            R("nyx", """
                For the photos: look at [Immich](https://immich.app). It's the closest thing to
                Google Photos I've found and it runs fine on a mini PC. Sort out backups
                *before* you delete anything from the cloud.
                """),
            R("member", """
                Thanks everyone! BME280 ordered, and I'm reading through the soldering iron
                threads now. I'll report back.
                """),
        ),
    ),
    T(
        "introductions", "lumen", "Aoife from Galway: lighting tech and WLED addict",
        """
        Hi! I'm a lighting technician in a theatre and I've brought the job home: every room
        in my house now has LED strips running WLED. My partner has asked for "one room
        with normal lights" and negotiations are ongoing.

        I'm here to learn the power side properly (I know DMX, I don't know enough about
        buck converters) and maybe share a few tricks from stage lighting.
        """,
        day=47,
        replies=(
            R("kestrel", """
                Welcome! A theatre lighting tech with WLED questions is going to be very
                popular in Microcontrollers.
                """),
            R("volt_age", """
                Happy to help with the power side. Short version: voltage drop is your enemy,
                so inject power more often than you think you need to. Long version whenever
                you post your setup.
                """),
            R("lena.m", """
                Please share the stage tricks! I'd love to know how you get smooth fades that
                don't flicker at the low end.
                """),
            R("lumen", """
                Short answer: a higher PWM frequency and gamma correction. The longer answer
                deserves its own thread, I'll write one.
                """, quote=3),
        ),
    ),
    T(
        "introductions", "ziggy", "Hello from Vancouver, finally posting after a year of lurking",
        """
        Long-time lurker, first post. I got an Ender 3 for my birthday last year and it has
        been a journey. I'm also learning electronics with my daughter (she's 11 and already
        solders better than me).

        Thanks for all the threads that rescued me over the past year, especially the first
        layer ones.
        """,
        day=28,
        replies=(
            R("printfarm", """
                Welcome Ziggy! The Ender 3 is a great teacher: it makes you learn everything.
                If the first layer ever fights you again, you know where we are.
                """),
            R("tinkerbelle", """
                An 11-year-old who solders better than her parent is the best thing I've read
                today. Welcome!
                """),
            R("hobbs", """
                Welcome. Tell your daughter there's an old radio man in Ohio cheering for her.
                If she wants a project, a crystal radio is a lovely first build: no batteries,
                and it feels like magic when it works.
                """),
            R("ziggy", "She's already asking what a crystal is, so I think that's decided. Thanks!",
              quote=3, quote_text="If she wants a project, a crystal radio is a lovely first "
                                  "build: no batteries, and it feels like magic when it works."),
        ),
    ),
    T(
        "introductions", "fennec", "Merhaba from Istanbul: robotics student with a wobbly robot",
        """
        Hi everyone. I'm in the last year of a mechatronics degree, and my final project is a
        two-wheeled self-balancing robot: an ESP32, an MPU-6050 and two steppers on DRV8825
        drivers. It balances for about four seconds and then falls over with great confidence.

        I found the forum through the I2C thread (same sensor problems!) and stayed for the
        repair write-ups.
        """,
        day=2.4,
        replies=(
            R("kestrel", """
                Welcome! Four seconds is a start. Post the build in Microcontrollers when you're
                ready; a few people here have tuned a PID loop or two.
                """),
            R("volt_age", """
                Welcome. Self-balancing robots are a rite of passage. The usual suspects for
                "balances briefly, then falls" are a slow or jittery control loop, and the
                weighting in the IMU's complementary filter. How fast does your loop run?
                """),
            R("fennec", """
                About 100 Hz, but I print debug output over serial inside the loop, so probably
                not very evenly.
                """),
            R("volt_age", """
                There's your first suspect: serial prints at 115200 baud can take milliseconds.
                Run the loop from a hardware timer at 200 Hz or more, and collect the debug
                values in a buffer that you print outside the loop.
                """, quote=3, quote_text="I print debug output over serial inside the loop"),
            R("fennec", """
                Moved the prints out and put the loop on a timer at 250 Hz. Eleven seconds!
                It still falls over, but much more gracefully.
                """),
        ),
    ),
    # -- swap & sell (members only) -----------------------------------------------------
    T(
        "swap-and-sell", "rackjack", "[FS] Dell R720, 2 × E5-2650 v2, 128 GB RAM (Austin pickup)",
        """
        Downsizing the lab, so the R720 has to go.

        | Part | Details |
        |---|---|
        | CPU | 2 × Xeon E5-2650 v2 |
        | RAM | 128 GB DDR3 ECC (16 × 8 GB) |
        | Storage | 8 × 2.5" caddies, no drives |
        | RAID | H710 flashed to IT mode |
        | PSU | 2 × 750 W |

        Asking **$250**, local pickup in Austin only. It weighs about as much as a small dog
        and I'm not shipping it. It idles around 140 W, so please know what you're getting
        into.
        """,
        day=40,
        locked="Sold. Locked at the seller's request.",
        replies=(
            R("gus", """
                Tempting, but 140 W idle would cost me more than the server within a year. Good
                luck with the sale!
                """),
            R("beepboop", "Is the iDRAC Enterprise licence included? And rails?"),
            R("rackjack", "Yes to both: iDRAC7 Enterprise, and the sliding rails are in the box."),
            R("okapi", """
                Fair price. If I lived on the right continent I'd take it for the RAM alone.
                """),
            R("rackjack", """
                Sold to a local student who's starting his first lab. He brought a friend to
                help carry it. Smart kid. Thanks all!
                """),
        ),
    ),
    T(
        "swap-and-sell", "tinkerbelle", "[WTB] First oscilloscope for hobby use (Melbourne)",
        """
        Looking for a first scope for hobby projects: LED drivers, the odd servo, I2C.
        Budget around AU$400, happy to buy used.

        Is four channels worth it for me, or should I get a two-channel scope and a cheap
        logic analyser?
        """,
        day=25,
        replies=(
            R("volt_age", """
                For I2C and servo work, a cheap logic analyser (the 8-channel ones work well
                with [PulseView](https://sigrok.org/wiki/PulseView)) plus a two-channel scope
                covers nearly everything. Four channels are nice, not essential.
                """),
            R("kestrel", """
                Agree with Marcus. I used a Rigol DS1054Z for years; they come up used for
                about your budget and it's a great first scope.
                """),
            R("tinkerbelle", """
                Thank you both! Found a DS1054Z locally for AU$380 with the original probes.
                Picking it up on Saturday.
                """),
            R("volt_age", """
                Good find. Before you hand over the cash, check that all four channels show a
                clean square wave from the probe compensation output.
                """, quote=3),
            R("tinkerbelle", """
                All four channels checked out and the scope is home. Now to learn what all
                these knobs do.
                """),
        ),
    ),
    T(
        "swap-and-sell", "hobbs", "[Free] Big box of through-hole parts, just pay postage",
        """
        Clearing out forty years of parts drawers:

        - resistors, mostly ¼ W carbon film, sorted by decade
        - ceramic and electrolytic capacitors
        - a bag each of 2N3904 and 2N3906
        - some 555s, 741s and LM386s
        - LEDs, pots, a few relays

        Everything is in labelled bags. I'd love it to go to someone teaching kids or just
        starting out. You pay postage, that's all.
        """,
        day=12,
        replies=(
            R("ziggy", """
                If it's still going, my daughter would be over the moon. We're in Vancouver, so
                it's international postage, happy to cover it.
                """),
            R("hobbs", "It's yours. Easiest is to call me on 937-555-0142 and we'll sort it out.",
              replace=("Easiest is to call me on 937-555-0142 and we'll sort it out.",
                       "*[Phone number removed by a moderator. Please swap contact details "
                       "privately.]*"),
              edited_by="mod", edit_after=1.5),
            R("mod", """
                Dave, I've taken your phone number out of that post. Swap & sell is members
                only, but anyone can register, so please swap contact details privately.
                """, after=1.6),
            R("hobbs", """
                Fair enough, old habits. Ziggy, my email is on my profile now. Drop me a line
                and we'll sort it out.
                """),
            R("ziggy", """
                The box arrived! It's like Christmas. She has already sorted the LEDs by colour.
                Thank you, Dave.
                """, after=150),
            R("beepboop", "This is the nicest thread on the forum."),
        ),
    ),
    T(
        "swap-and-sell", "okapi", "[FS] 4 × 8 TB WD Red Plus, clean SMART (NZ only)",
        """
        Selling four WD80EFZZ drives from my old pool, about two years of use each.

        | Drive | Power-on hours | Reallocated | Pending |
        |---|---|---|---|
        | 1 | 17,412 | 0 | 0 |
        | 2 | 17,409 | 0 | 0 |
        | 3 | 16,980 | 0 | 0 |
        | 4 | 16,977 | 0 | 0 |

        NZ$150 each or NZ$520 for all four. Courier within New Zealand included.
        """,
        day=8,
        replies=(
            R("nyx", "Clean SMART on all four, nice. Why are you selling? Going bigger?"),
            R("okapi", """
                Yep, consolidating onto two 20 TB drives in a mirror. Fewer drives, less power,
                and resilvers I can still fit into a weekend.
                """),
            R("rackjack", "The most homelab sentence ever written.", quote=2,
              quote_text="resilvers I can still fit into a weekend."),
            R("okapi", "Two sold, two left."),
        ),
    ),
)
