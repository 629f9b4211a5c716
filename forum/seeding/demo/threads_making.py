"""Microcontrollers, 3D printing, and repair."""
from __future__ import annotations

from .script import Reply as R
from .script import ThreadScript as T

MICROCONTROLLERS = (
    T(
        "microcontrollers", "kestrel", "Reference thread: pinouts, datasheets and handy tools",
        """
        Collecting the references we keep linking in replies, so they live in one place.
        Suggestions welcome; I'll keep this post up to date.

        **Pinouts**

        - [ESP32 DevKitC](https://docs.espressif.com/projects/esp-idf/en/latest/esp32/hw-reference/esp32/get-started-devkitc.html)
        - [Raspberry Pi Pico](https://datasheets.raspberrypi.com/pico/Pico-R3-A4-Pinout.pdf)

        **ESP32 pins to be careful with**

        | GPIO | Watch out |
        |---|---|
        | 0, 2, 12, 15 | Strapping pins: they affect the boot mode |
        | 6–11 | Wired to the flash chip, don't use |
        | 34–39 | Input only, no internal pull-ups |

        **Tools**

        - [PulseView](https://sigrok.org/wiki/PulseView) for cheap logic analysers
        - [Falstad's circuit simulator](https://www.falstad.com/circuit/) for quick sanity
          checks
        """,
        day=55, pinned=True,
        edit="""
        **Update:** added the ADC2 row, since it keeps coming up:

        | GPIO | Watch out |
        |---|---|
        | ADC2 pins (0, 2, 4, 12–15, 25–27) | Unusable for analogue reads while Wi-Fi is on |
        """,
        edit_after=200,
        replies=(
            R("volt_age", """
                Good list. I'd add the TI and Analog Devices application notes for anything
                power related. They're better textbooks than most textbooks.
                """),
            R("ohm_my", """
                Please add the
                [ESP32 sleep modes page](https://docs.espressif.com/projects/esp-idf/en/latest/esp32/api-reference/system/sleep_modes.html).
                Everyone asks about deep sleep current eventually.
                """),
            R("kestrel", "Both added, thanks!"),
        ),
    ),
    T(
        "microcontrollers", "gus", "ESP32 resets every time Wi-Fi connects",
        """
        My ESP32 board boots, prints the first few lines, and resets the moment it starts
        connecting to Wi-Fi. Serial log:

        ```
        Connecting to WiFi...
        Brownout detector was triggered

        ets Jun  8 2016 00:22:57
        rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)
        ```

        It's powered from a USB port on my laptop through a 1 m cable. The same code runs
        fine on a different board.
        """,
        day=45,
        replies=(
            R("kestrel", """
                Classic brownout. The radio pulls current spikes of 300–500 mA when it starts
                transmitting; with a long thin cable and a weak USB port, the 3.3 V rail sags
                below the brownout threshold. Try a short, thick cable or a powered hub first.
                """),
            R("volt_age", """
                And if that helps, add bulk capacitance close to the module: 100–470 µF across
                3.3 V and GND. Many cheap dev boards skimp on it.
                """),
            R("gus", """
                Short cable: boots fine. Long cable: resets. You were right. What's the proper
                fix for the final build, which will sit at the end of 3 m of cable?
                """),
            R("volt_age", """
                Send 5 V (or better, 12 V) down the long cable and regulate at the board. The
                drop over 3 m of thin wire at 500 mA is significant, but a regulator won't care
                if it starts with some headroom.
                """, quote=3, quote_text="which will sit at the end of 3 m of cable?"),
            R("kestrel", """
                And please don't just disable the brownout detector, which is the top answer on
                a few other sites. It hides the problem, and you get corrupted flash writes
                instead of resets.
                """),
            R("gus", """
                Added a 470 µF cap, and it now gets 5 V over the long cable with a decent
                regulator on the board. Stable for three days. Thank you both!
                """,
              edit="**Edit:** a week now, not a single reset.", edit_after=100),
        ),
    ),
    T(
        "microcontrollers", "member", "Arduino, RP2040 or ESP32 for a first project?",
        """
        For the garden weather station: which board should I start with? I've read enough
        comparison articles to be more confused than when I started.
        """,
        day=40,
        replies=(
            R("kestrel", """
                For your use case:

                | | Arduino Uno | Pi Pico (RP2040) | ESP32 |
                |---|---|---|---|
                | Wi-Fi | No | Pico W only | Yes |
                | Deep sleep | Poor | Poor | Good (~10 µA on good boards) |
                | Languages | C++ | C++, MicroPython | C++, MicroPython |
                | Price | ~£20 (official) | ~£5 | ~£5–10 |

                For a weather station that reports over Wi-Fi and might run on a battery later:
                ESP32.
                """),
            R("ohm_my", """
                Agreed, ESP32. If you go battery, pick a board with a good regulator and no
                always-on USB-serial chip, or the deep sleep current will be terrible. The
                FireBeetle or LOLIN D32 are fine.
                """),
            R("hobbs", """
                A counterpoint for learning: the Uno teaches you more of the basics because
                there's less magic. But for *this* project, the ESP32 is right.
                """),
            R("member", """
                ESP32 it is. I'll start mains powered and worry about batteries later. Thanks!
                """),
            R("ohm_my", "Sensible. Battery power is a project of its own."),
        ),
    ),
    T(
        "microcontrollers", "lumen", "WLED on 5 m of SK6812: where do I inject power?",
        """
        Building a 5 m run of SK6812 RGBW (60 LEDs/m, so 300 LEDs) for a kitchen shelf, driven
        by WLED on an ESP32. At full white the far end goes visibly yellow-pink. The supply is
        5 V 10 A, fed at the start of the strip.

        Where and how often should I inject power? And do I need thicker wire than the strip's
        own copper?
        """,
        day=39,
        replies=(
            R("volt_age", """
                Quick sums: SK6812 RGBW at full white draws about 60–80 mA per LED, so 300 LEDs
                is up to ~20 A. Your 10 A supply can't do full white at all, and the strip's
                copper can't carry more than a few amps without a large voltage drop. The yellow
                end is blue and green dropping out first as the voltage sags.
                """),
            R("lumen", "So the supply is undersized as well. Good to know before it got warm."),
            R("volt_age", """
                Two fixes, use both:

                1. Set WLED's current limiter to what your supply can actually deliver (LED
                   Preferences, e.g. 9000 mA for a 10 A supply).
                2. Inject 5 V at both ends and in the middle, with 1.5 mm² wire from the supply.
                   Fuse each injection point.
                """),
            R("kestrel", """
                Also add a 330 Ω resistor in the data line near the first LED, and a level
                shifter (74AHCT125) if the data run is more than a few centimetres. 3.3 V data is
                marginal for 5 V strips.
                """),
            R("lumen", """
                Injected at 0, 2.5 and 5 m, current limit at 9 A, level shifter added. The far
                end is the same white as the start now. Thank you both!
                """),
            R("lena.m", "Photos please!"),
            R("lumen", """
                Once the kitchen is tidy enough to be photographed. Could be a while.
                """, quote=6),
        ),
    ),
    T(
        "microcontrollers", "ohm_my", "Battery sensor node: MicroPython or C++?",
        """
        Building a soil sensor that should run for a year on two AA cells: wake every 15
        minutes, read a capacitive probe and a DS18B20, send the reading over Wi-Fi, sleep.

        I like MicroPython for iterating, but I'm worried the boot time will eat the battery.
        Has anyone measured it?
        """,
        day=34,
        replies=(
            R("kestrel", """
                I have, on an ESP32-C3: MicroPython takes about 700 ms from wake to running your
                script, an Arduino sketch about 60 ms. But the Wi-Fi connection dominates either
                way: 1–3 s with DHCP, around 300 ms with a static IP and a saved channel and
                BSSID.
                """),
            R("ohm_my", "So the interpreter matters less than the Wi-Fi connect. Interesting."),
            R("kestrel", """
                Right. Biggest wins, in order: static IP, remember channel and BSSID in RTC
                memory, send one message and sleep immediately. In Arduino terms:

                ```cpp
                WiFi.config(ip, gateway, subnet);
                WiFi.begin(ssid, pass, channel, bssid);  // skip the scan
                while (WiFi.status() != WL_CONNECTED && millis() < 2000) delay(5);
                publish_reading();
                esp_sleep_enable_timer_wakeup(15ULL * 60 * 1000000);
                esp_deep_sleep_start();
                ```
                """),
            R("volt_age", """
                Don't forget the power path: a buck-boost such as the TPS63020 from two AA
                cells, or an LDO with a tiny quiescent current. A regulator that idles at 5 mA
                will flatten the cells long before the ESP32 does.
                """),
            R("ohm_my", """
                Prototype measured with a Nordic PPK2: 0.8 s awake at ~90 mA average, 11 µA
                asleep. That works out to roughly 14 months on two AAs. C++ it is, for this one.
                """),
            R("kestrel", "Great result. See you in this thread again in fourteen months!",
              quote=5, quote_text="That works out to roughly 14 months on two AAs."),
        ),
    ),
    T(
        "microcontrollers", "beepboop", "I2C sensor returns zeros after a few hours",
        """
        BME280 on an ESP32 over I2C, with about 40 cm of ribbon cable in between. It works for
        a few hours, then every reading is 0 (or the driver says the sensor is missing) until I
        power cycle everything. Resetting the ESP32 alone doesn't help.
        """,
        day=24,
        replies=(
            R("volt_age", """
                "Only a power cycle fixes it" sounds like a stuck bus: the sensor is holding SDA
                low in the middle of a transaction. 40 cm of ribbon is long for I2C at 400 kHz.
                Drop to 100 kHz and check your pull-ups: most breakouts have 10 kΩ, and for that
                length you want 4.7 kΩ or even 2.2 kΩ.
                """),
            R("kestrel", """
                And add bus recovery to your code: if SDA is stuck low, clock SCL nine times as
                a GPIO before re-initialising the I2C peripheral. Some drivers do this for you,
                Arduino's Wire doesn't always.
                """),
            R("beepboop", "100 kHz and 4.7 kΩ pull-ups: 30 hours so far without a glitch."),
            R("beepboop", """
                A week later, still fine. I also noticed the ribbon cable ran right alongside a
                mains cable for a PIR light, which can't have helped.
                """,
              edit="**Edit:** rerouted it anyway.", edit_after=20),
            R("volt_age", """
                That would do it. Twisted pairs (SDA with GND, SCL with GND) are a cheap
                improvement for longer runs.
                """),
        ),
    ),
    T(
        "microcontrollers", "lumen", "Smooth LED fades at low brightness: tricks from the stage",
        """
        I promised Lena this thread ages ago, so here it is. Why do LED fades look steppy and
        flickery at the bottom end, and what can you do about it?

        **1. Perceived brightness isn't linear.** Our eyes are far more sensitive to changes at
        low levels, so a linear fade from 0 to 255 does most of its visible changing in the
        first few steps. Apply gamma correction; WLED has it under LED Preferences, and 2.8 is
        a good start.

        **2. Eight bits isn't enough at the bottom.** After gamma, the lowest steps are 0, 1,
        2… and going from 1 to 2 doubles the brightness. Stage fixtures use 16-bit dimming for
        exactly this reason. On strips, temporal dithering helps:

        ```cpp
        // FastLED: gamma-correct the level, and let the library dither between steps
        uint8_t level = dim8_video(brightness);
        FastLED.setDither(BINARY_DITHER);
        ```

        **3. PWM frequency.** Cheap strips run their PWM at a few hundred Hz, which shows up as
        flicker on camera and in peripheral vision. If that matters to you (video, or people
        who are sensitive to it), choose strips and drivers with a higher PWM rate.
        """,
        day=4.2,
        replies=(
            R("lena.m", """
                Thank you, this is exactly what I wanted! Gamma 2.8 made an immediate difference
                to my hallway night light.
                """),
            R("kestrel", """
                Great write-up. Worth adding: dithering needs a high refresh rate or it looks
                like shimmer, so keep strips short or split them. A single 300-LED data line
                tops out around 100 fps.
                """),
            R("lumen", """
                Good point, I'll add that. On long runs I split the strip across several data
                pins of one ESP32, which WLED supports natively now.
                """, quote=2, quote_text="dithering needs a high refresh rate or it looks like "
                                         "shimmer"),
            R("volt_age", """
                On the hardware side: if you drive plain, non-addressable strips with MOSFETs,
                you can run the PWM at 20 kHz or more and the flicker disappears entirely. Watch
                the gate drive, though: slow edges at high frequency make the MOSFET run warm.
                """),
            R("ohm_my", "Saving this. I've fought a flickery under-cabinet light for months."),
        ),
    ),
)

PRINTING = (
    T(
        "3d-printing", "printfarm", "Before you post a failed print: a checklist",
        """
        Most "what went wrong?" threads get the same first five questions. Answer them in your
        first post and you'll get useful replies much faster:

        1. **Printer and firmware**, e.g. Prusa MK4, Ender 3 V2 with Klipper
        2. **Filament**: material, brand, and how long the roll has been open
        3. **Slicer and profile**, plus anything you changed from the defaults
        4. **Photos**: the failure, the first layer, and the underside of the part
        5. **What you've already tried**

        And before anything else: wash the bed with dish soap and warm water. Fingerprints
        cause more first-layer failures than anything else.
        """,
        day=54, pinned=True,
        edit="""
        **Update:** if you print PETG or nylon, dry the filament before posting. Wet filament
        causes stringing, bubbles and weak layers, and no setting fixes it.
        """,
        edit_after=9,
        replies=(
            R("tinkerbelle", """
                Can we add "is your filament dry?" Half my PETG problems turned out to be wet
                filament.
                """),
            R("printfarm", "Added a note at the bottom. Good call.", quote=1),
            R("ziggy", """
                The dish soap tip fixed my first layer problems a year ago. I lurked long enough
                to learn that it's always the dish soap.
                """, after=650),
        ),
    ),
    T(
        "3d-printing", "tinkerbelle", "PETG stringing no matter what I do",
        """
        **Printer:** Ender 3 S1, stock firmware. **Filament:** PETG, a brand new roll.
        **Slicer:** Cura.

        Whatever I do, I get cobwebs between parts. What I've tried:

        | Setting | Tried |
        |---|---|
        | Retraction distance | 0.8 → 1.5 → 2 mm |
        | Retraction speed | 25 → 40 mm/s |
        | Nozzle temperature | 240 → 230 → 225 °C |
        | Travel speed | 150 → 200 mm/s |

        Still stringy, worst of all on the fins of the helmet I'm printing.
        """,
        day=42,
        replies=(
            R("printfarm", """
                "Brand new roll" doesn't mean dry, unfortunately: PETG is often wet straight out
                of the bag. Dry it at 65 °C for 4–6 hours and print again before touching any
                more settings.
                """),
            R("tinkerbelle", "I don't have a filament dryer. Will the oven do?"),
            R("printfarm", """
                Most home ovens are very inaccurate at 65 °C and can overshoot enough to soften
                PETG. A food dehydrator is the cheap, reliable option, or a dryer box you can
                also print from.
                """),
            R("tinkerbelle", """
                Borrowed my neighbour's dehydrator: 6 hours at 65 °C. The difference is absurd,
                almost no strings even with my original settings.
                """),
            R(None, """
                Also turn on "Avoid printed parts when travelling" and set combing to "within
                infill" in Cura. It gets rid of the last few whiskers.
                """),
            R("printfarm", """
                The most satisfying sentence in 3D printing. Whatever's left, a second with a
                heat gun takes care of it.
                """, quote=4, quote_text="almost no strings even with my original settings."),
        ),
    ),
    T(
        "3d-printing", "gus", "Bambu or Prusa? (Yes, this question again)",
        """
        I know. But my old printer died and I have to choose. The Bambu P1S is cheaper and
        faster. The Prusa MK4S is open, repairable and made in Europe, which matters to me
        somewhat. I mostly print functional parts, not figurines. Help me decide.
        """,
        day=29,
        replies=(
            R("printfarm", """
                I run both. The Bambu is genuinely excellent out of the box. The Prusa is nearly
                as good, easier to repair with parts you can actually order, and doesn't nudge
                you towards a cloud account. For functional parts either is fine; decide on how
                you feel about the ecosystem.
                """),
            R("rackjack", """
                Bambu, and put it in LAN-only mode if the cloud bothers you. Speed matters more
                than people admit when you're iterating on a part.
                """),
            R("quietfan", """
                Prusa. I want to be able to fix my printer in ten years with parts that still
                exist. That's worth the premium to me.
                """),
            R("tinkerbelle", """
                True, but for functional parts the slow part of iterating is usually me
                measuring things wrong, not the printer.
                """, quote=2, quote_text="Speed matters more than people admit when you're "
                                         "iterating on a part."),
            R("gus", """
                Went with the MK4S kit: I like the idea of building it and knowing every part.
                I'll report back in a week, assuming I assemble it correctly.
                """),
            R("gus", """
                Built in two evenings. The first print (a Benchy, obviously) came out perfect,
                and the assembly guide was excellent.
                """, after=60),
        ),
    ),
    T(
        "3d-printing", "printfarm", "PLA, PETG or ASA for functional parts: my test results",
        """
        I printed the same test hook in three materials and hung weights on it until it broke.
        Same profile apart from temperatures: 4 walls, 40% gyroid infill, printed on its side.

        | Material | Broke at | Failure | Notes |
        |---|---:|---|---|
        | PLA | 19 kg | Snapped cleanly | Stiffest, brittle |
        | PETG | 16 kg | Bent, then tore | Creeps under sustained load |
        | ASA | 17 kg | Bent, then snapped | Needs an enclosure, UV-stable |

        Takeaway: PLA is stronger than its reputation *indoors at room temperature*. For
        anything outdoors or in a car, ASA. PETG is the most forgiving when something hits it.
        """,
        day=21,
        replies=(
            R("tinkerbelle", """
                Really interesting, I'd have bet on PETG. Did you test how they hold up over
                time? PLA creeps too.
                """),
            R("printfarm", """
                Not yet. I've hung 8 kg off one of each in the garage; I'll post how much they've
                sagged in a few weeks.
                """),
            R("volt_age", """
                Nice method. For most hooks, layer orientation matters more than material, and
                printing on the side was the right call.
                """),
            R("okapi", """
                Saving this. I've been printing everything in PETG "because it's stronger".
                Apparently not.
                """),
            R("printfarm", """
                Creep update after 18 days with 8 kg hanging:

                | Material | Sag |
                |---|---:|
                | PLA | 3.1 mm |
                | PETG | 4.6 mm |
                | ASA | 1.2 mm |

                ASA wins for sustained load, at least in a cool garage.
                """, after=18 * 24),
        ),
    ),
    T(
        "3d-printing", "ziggy", "First layer won't stick to textured PEI",
        """
        New textured PEI sheet on my Ender 3. Glass worked okay-ish, but on PEI the first
        layer just won't stick: the lines drag around behind the nozzle. PLA at 210 / 60 °C,
        same Z offset as before.
        """,
        day=16,
        replies=(
            R("printfarm", """
                Textured PEI usually needs the nozzle a little *closer* than glass, because the
                texture leaves less contact area. Redo the Z offset from scratch on the new
                sheet, and go slightly lower than looks right.
                """),
            R("tinkerbelle", """
                And wash it! New sheets often have a film of oil from manufacturing. Dish soap
                and hot water, then don't touch the surface.
                """),
            R("ziggy", """
                I can't believe I praised the dish soap tip in the checklist thread and then
                didn't do it myself. Washed it, lowered the Z offset by 0.08 mm, and it sticks
                perfectly now.
                """, quote=2, quote_text="Dish soap and hot water, then don't touch the surface."),
            R("printfarm", "It's always the dish soap. 😄"),
        ),
    ),
    T(
        "3d-printing", "tinkerbelle",
        "Finished: helmet build, 40 hours of printing and 40 of sanding",
        """
        It's done! Printed in PLA at 0.12 mm layers, in six pieces, then filler primer, sanding
        (so much sanding) and a chrome finish.

        Numbers, for anyone planning something similar:

        - **Print time:** 41 h 20 min
        - **Filament:** 870 g
        - **Primer:** three cans
        - **Sanding:** 120 → 240 → 400 → 800 → 1500 grit
        - **Regrets:** none, except maybe the sanding

        Thanks to everyone in the PETG stringing thread: the visor mount is PETG and came out
        beautifully after the drying trick.
        """,
        day=9,
        replies=(
            R("printfarm", "That's stunning. The chrome is so clean. What paint did you use?"),
            R("tinkerbelle", """
                A mirror chrome spray over a gloss black base. The gloss black is the secret:
                every speck of dust or sanding mark shows through, so it forces you to get the
                surface perfect.
                """),
            R("ziggy", "My daughter saw the photos and now wants one. I'm blaming you."),
            R("hobbs", """
                Beautiful work. I know nothing about the films but I know a good finish when I
                see one.
                """),
            R("kestrel", """
                Add some LEDs behind the visor and you'll be in the right forum for part two.
                """),
            R("tinkerbelle", "Don't tempt me. …Okay, which LEDs?", quote=5),
            R("lumen", """
                SK6812 mini strips, a tiny ESP32-C3 board and WLED. Happy to help, this is my
                favourite kind of problem.
                """),
        ),
    ),
    T(
        "3d-printing", "beepboop", "Klipper input shaping made my prints worse?",
        """
        Switched my Ender 3 to Klipper last weekend and ran input shaper calibration with an
        ADXL345. It recommended MZV at 48 Hz on X and EI at 37 Hz on Y:

        ```ini
        [input_shaper]
        shaper_type_x = mzv
        shaper_freq_x = 48.2
        shaper_type_y = ei
        shaper_freq_y = 37.4
        ```

        Since then corners look rounded and small text is blurry. Did I do something wrong?
        """,
        day=1.6,
        replies=(
            R("printfarm", """
                Rounded corners after input shaping usually mean the shaper smooths more than
                your acceleration allows. The calibration output suggests a maximum acceleration
                for each shaper; check it and lower `max_accel` to match, or pick a shaper that
                smooths less.
                """),
            R("beepboop", """
                The log says `suggested max_accel <= 3200` for EI, and I have max_accel at 5000.
                """),
            R("printfarm", "There it is. Set it to 3000 and print your test again.", quote=2),
            R("beepboop", """
                Sharp corners again, and it's still faster than before Klipper. Thanks!
                """),
        ),
    ),
)

REPAIR = (
    T(
        "repair", "hobbs", "Recapping a 1962 Grundig: all the caps or just the bad ones?",
        """
        Picked up a Grundig Majestic at an estate sale. I brought it up slowly on a variac over
        an evening: it hums loudly and the audio is distorted. The wax paper capacitors are
        visibly cracked and the can electrolytic is original.

        An old-school question for the old-school crowd: replace every paper and electrolytic
        cap, or only the ones that test bad?
        """,
        day=37,
        replies=(
            R("volt_age", """
                Every paper cap and every electrolytic. Paper caps that age are all leaky even if
                a meter says they're fine, because the leakage shows at working voltage, not at
                the meter's one volt. The coupling cap to the output valve matters most: a leaky
                one puts a positive voltage on the grid and cooks the valve.
                """),
            R("hobbs", """
                That's what I expected. The output valve is an EL84 and I'd like to keep it.
                """),
            R("mod", """
                If you want to keep the original look, you can restuff the can electrolytic:
                warm the can, remove the old innards and hide modern capacitors inside. It takes
                an evening and looks completely original.
                """),
            R("hobbs", "I've never tried restuffing a can. I'll give it a go.", quote=3),
            R("volt_age", """
                Check the resistors while you're in there. Carbon composition resistors drift
                high with age, often by 20–30%.
                """),
            R("hobbs", """
                All paper and electrolytic caps replaced, two resistors that had drifted
                swapped, can restuffed. The hum is gone and the FM side sounds wonderful. Three
                weekends, worth every hour.
                """),
            R("ziggy", """
                This and the crystal radio make me want to try valve gear. Is it safe for a
                beginner?
                """, after=9 * 24),
            R("hobbs", """
                Yes, as long as you respect it. Valve sets have 250–300 V DC inside, and some
                "AC/DC" sets have a live chassis. Start with a set that has a proper mains
                transformer, use an isolation transformer and a variac, and keep one hand in
                your pocket. Happy to walk you through your first one.
                """, quote=7, quote_text="Is it safe for a beginner?"),
        ),
    ),
    T(
        "repair", "member", "First proper soldering iron: Pinecil, Hakko or a T12 station?",
        """
        My £15 iron with no temperature control makes every joint a struggle. Budget up to
        about £100. The options I keep hearing about are the Pinecil, the Hakko FX-888D and
        the various T12 stations. Which would you pick?
        """,
        day=42,
        replies=(
            R("volt_age", """
                All three are good. Roughly:

                | | Pinecil V2 | Hakko FX-888D | T12 station |
                |---|---|---|---|
                | Price (UK) | ~£30 + charger | ~£100 | ~£40 |
                | Heat-up | ~10 s | ~60 s | ~10 s |
                | Tips | cheap, widely available | T18, widely available | T12, cheap |
                | Best for | portable, small jobs | years of abuse | a bench on a budget |

                If you'll mostly work at a desk, a T12 station is the best value. If you want
                something that will outlive you, the Hakko.
                """),
            R("hobbs", """
                Hakko here, twenty years on the same iron (the older 936, but same idea). Boring
                and unkillable.
                """),
            R("kestrel", """
                Pinecil for me. I take it to workshops and run it off a USB-C power bank. Buy a
                proper 65 W USB-C PD charger for it though; on a weak charger it's sluggish.
                """),
            R("tinkerbelle", """
                Whatever you buy, also buy good solder: 63/37 leaded if you're allowed, or a
                decent lead-free with flux core. Cheap solder made me think I couldn't solder.
                """),
            R("volt_age", """
                So true. Past a certain point, solder and flux matter more than the iron.
                """, quote=4, quote_text="Cheap solder made me think I couldn't solder."),
            R("member", """
                Got a Pinecil and a 65 W charger, plus a reel of 63/37 and a flux pen. My joints
                look like the pictures now. Wish I'd done this months ago.
                """),
        ),
    ),
    T(
        "repair", "member", "Laptop charger stopped working: worth opening?",
        """
        My laptop charger (65 W, generic brand) died: no LED, nothing at the output. It's out
        of warranty. Is this something a beginner can fix, or is it bin time?
        """,
        day=14,
        replies=(
            R("volt_age", """
                Honest answer: as a beginner, recycle it. Those chargers are glued shut, the
                primary side has a capacitor charged to about 380 V that can hold its charge
                after unplugging, and a repair that goes wrong becomes a fire risk in your bag.
                Not a good first repair.
                """),
            R("hobbs", """
                Agreed. A great *third* repair, once you have an isolation transformer and know
                how to discharge caps safely. The usual failure is a blown fuse that blew for a
                reason.
                """, quote=1, quote_text="Not a good first repair."),
            R("member", """
                Fair enough, it's going to recycling. Would a dead one be a good thing to take
                apart *unpowered*, just to see what's inside?
                """),
            R("volt_age", """
                Yes, that's a great way to learn. Let it sit unplugged for a day, then measure
                across the big capacitor before touching anything, and discharge it through a
                resistor if there's any voltage left. Then enjoy the tiny transformer and the
                optocoupler.
                """),
            R("member", """
                Opened it after two days unplugged; the big cap measured 0 V. The fuse is open
                and there's a burnt varistor right next to it, so something upstream spiked.
                Glad I didn't just swap the fuse.
                """),
        ),
    ),
    T(
        "repair", "volt_age", "Rigol DS1054Z stuck at the boot logo: fixed",
        """
        Writing this up because the fix wasn't where I expected. A friend's DS1054Z stopped
        booting: logo, then nothing. The power rails measured fine, and reinstalling the
        firmware over USB changed nothing.

        The cause: the ribbon cable to the front panel board had worked loose, and a key that
        reads as held down during boot puts the scope into a service mode that just hangs.
        Reseated the cable and it boots normally.

        If yours hangs at the logo, try this before anything drastic:

        1. Unplug, hold no buttons, power on.
        2. If it still hangs, open it up (four screws and the handle) and reseat every
           ribbon cable.
        3. Check for a sticky key, especially *Run/Stop* and *Auto*.
        """,
        day=23,
        replies=(
            R("tinkerbelle", "Bookmarking this, since I just bought one!"),
            R("kestrel", """
                I had no idea a stuck key could do that. Mine has a slightly sticky *Single*
                button and now I'm nervous.
                """),
            R("volt_age", """
                A bit of isopropyl alcohol around the button usually sorts a sticky one. Don't
                spray anything in; dab it on with a cotton bud.
                """, quote=2),
            R("hobbs", """
                Good write-up. Loose ribbon cables are behind half the "dead" equipment I've ever
                fixed.
                """),
        ),
    ),
    T(
        "repair", "okapi", "Rescued a bench power supply from e-waste: worth keeping?",
        """
        Found a Thurlby PL320 (30 V, 2 A linear supply) at the recycling centre. The case is
        grubby and the front panel works, but when I set 12 V the output wanders between 11.8
        and 12.4 V, and there's a faint crackle from inside. Worth fixing?
        """,
        day=11,
        replies=(
            R("volt_age", """
                Absolutely. Thurlbys are lovely and built to be repaired. Crackle plus wander
                sounds like a dirty voltage pot or a dry joint. Start by cleaning the pots with
                contact cleaner and reflowing the joints on the regulator board.
                """),
            R("hobbs", """
                And replace the main filter capacitor while you're in there; it's probably the
                original, and forty years old.
                """),
            R("okapi", """
                Contact cleaner in both pots and a new filter cap. The output holds 12.00 V rock
                steady and the crackle is gone.
                """),
            R("volt_age", """
                Lovely. Test the current limit too (short the output through an ammeter with the
                limit set to 100 mA) before you trust it with anything you care about.
                """, quote=3, quote_text="The output holds 12.00 V rock steady"),
            R("okapi", "Current limit works perfectly. It's now the nicest thing on my bench."),
        ),
    ),
)

THREADS = MICROCONTROLLERS + PRINTING + REPAIR
