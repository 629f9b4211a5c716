"""Servers, networking and self-hosting."""
from __future__ import annotations

from .script import Reply as R
from .script import ThreadScript as T

SERVERS = (
    T(
        "servers", "quietfan", "Quietest way to run a 2U server in a flat?",
        """
        I have a Supermicro 2U (X10 board, 2 × E5-2630L v3) living in a cupboard next to my
        bedroom. Even at idle it's a constant whine, around 48 dB at the cupboard door.

        Options I'm considering:

        1. Swap the fans for Noctuas and lower the IPMI thresholds
        2. Move everything into a tower case
        3. Give up and buy a mini PC cluster

        Has anyone done option 1 without the BMC panicking and running every fan at 100%?
        """,
        day=50,
        replies=(
            R("rackjack", """
                Option 1 works, but you have to lower the lower-critical thresholds, or the BMC
                sees the slow Noctuas as failed fans and ramps everything to full:

                ```sh
                ipmitool -I lanplus -H 192.168.10.5 -U ADMIN -a sensor thresh FAN1 lower 100 200 300
                ipmitool -I lanplus -H 192.168.10.5 -U ADMIN -a sensor thresh FAN2 lower 100 200 300
                ```

                Then set the fan mode to *Optimal* in the IPMI web UI. Repeat for every header
                that has a fan on it.
                """),
            R("quietfan", """
                That explains the "fans spin up every 30 seconds" behaviour I read about.
                Thanks!
                """),
            R("packetloss", """
                Also listen to the PSUs. On a lot of 2U chassis the PSU fans are the loudest
                thing once the system fans are sorted, and those you can't swap as easily.
                """),
            R("volt_age", """
                Please don't open server PSUs to swap fans unless you really know what you're
                doing. The primary-side capacitors can hold a dangerous charge for a long time
                after unplugging.
                """, quote=3),
            R("okapi", """
                Counterpoint: option 3. I replaced a 2U with three N100 boxes and the whole lab
                idles at 24 W, silently. Unless you need the PCIe lanes or the drive bays, the
                2U is fighting physics.
                """),
            R("quietfan", """
                Update: Noctua NF-A8 PWM in all four slots, thresholds lowered, fan mode
                Optimal. **36 dB** at the cupboard door, down from 48. The PSU is now the
                loudest thing, as predicted. Living with it for now.
                """,
              edit="""
                **Edit:** temperatures after a week: CPUs peak at 61 °C during a full Plex
                transcode, drives sit at 38 °C. Fine by me.
                """, edit_after=170),
            R("rackjack", """
                Nice result. 12 dB is a big difference: well over half the perceived loudness
                gone.
                """),
        ),
    ),
    T(
        "servers", "rackjack", "Proxmox 8 upgrade: no network after reboot (NIC renamed)",
        """
        Upgraded one node from Proxmox 7 to 8 following the official guide; `pve7to8` was
        all green. After the reboot: no network. The console shows the NIC is now called
        `enp3s0f0np0` instead of `enp3s0f0`, so `vmbr0` has no port:

        ```
        auto vmbr0
        iface vmbr0 inet static
                address 192.168.10.21/24
                gateway 192.168.10.1
                bridge-ports enp3s0f0
                bridge-stp off
                bridge-fd 0
        ```

        Editing the file fixes it, but I have two more nodes to upgrade. Is there a way to pin
        the name *before* upgrading?
        """,
        day=36,
        edit="**Solved**, see the reply about systemd `.link` files. Thanks all.",
        edit_after=30,
        replies=(
            R("nyx", """
                Newer kernels and systemd add the `np0` suffix for some Intel and Mellanox
                cards. Pin the name with a systemd link file before upgrading:

                ```ini
                # /etc/systemd/network/10-lan0.link
                [Match]
                MACAddress=aa:bb:cc:dd:ee:01

                [Link]
                Name=lan0
                ```

                Use `lan0` in `/etc/network/interfaces`, run `update-initramfs -u -k all`, and
                reboot once on the old version to check it took.
                """),
            R("rackjack", """
                That's exactly what I needed, thank you. Naming by MAC is better than trusting
                the PCI path anyway.
                """),
            R("packetloss", """
                +1 for naming interfaces by MAC. Just remember to update the file when you
                replace the card, or you'll be back here with the opposite problem.
                """),
            R("beepboop", "Bookmarking this. Still on Proxmox 7 and I was dreading exactly this."),
            R("rackjack", """
                Follow-up for anyone finding this later: did both remaining nodes with the
                `.link` file in place first. No surprises, and no VM downtime thanks to
                migrating them around. About an hour per node.
                """),
        ),
    ),
    T(
        "servers", "okapi", "ZFS: two mirrors or RAIDZ1 for four 8 TB drives?",
        """
        Building a new pool for media and backups out of four 8 TB drives. Torn between two
        mirrored vdevs and a single RAIDZ1:

        | Layout | Usable | Survives | Resilver |
        |---|---|---|---|
        | 2 × mirror | ~16 TB | one drive per mirror | fast, copies from the partner |
        | RAIDZ1 | ~24 TB | any one drive | slow, reads every drive |
        | RAIDZ2 | ~16 TB | any two drives | slow |

        The extra 8 TB is tempting. Talk me out of it, or into it.
        """,
        day=33,
        replies=(
            R("nyx", """
                With 8 TB drives I wouldn't do RAIDZ1. A resilver reads every sector of the
                three remaining drives; hit one unreadable sector along the way and you're
                restoring from backup. Mirrors or RAIDZ2.
                """),
            R("rackjack", """
                I'll disagree a bit: for replaceable media with a real backup elsewhere, RAIDZ1
                is a perfectly reasonable trade. The "RAID5 is dead" articles assume error rates
                that modern drives beat comfortably in practice.
                """),
            R("nyx", """
                That's the key phrase. If it's *really* backed up, sure. Most people who say
                that have a backup nobody has ever tried restoring.
                """, quote=2, quote_text="for replaceable media with a real backup elsewhere"),
            R("okapi", """
                Fair. The backups live on this pool, so "backed up elsewhere" is only half true
                for me.
                """),
            R("packetloss", """
                Mirrors also grow more easily: add two drives, get another vdev. RAIDZ
                expansion exists now, but it's new and I wouldn't be first in line.
                """),
            R("okapi", """
                Went with two mirrors. 16 TB usable is still more than I need today, and the
                resilver argument won. Thanks, everyone.
                """),
            R("quietfan", """
                Good choice. Set up scrubs and SMART alerts before you fill it, not after.
                """),
        ),
    ),
    T(
        "servers", "gus", "Power bill check: what does your lab draw at idle?",
        """
        My electricity bill went up again and I'm trying to work out whether my setup is
        reasonable. Post your idle draw (measured at the wall, not guessed) and what it
        powers. I'll start:

        | Device | Idle (W) |
        |---|---:|
        | Old i7-4770 tower (Jellyfin, Home Assistant VM) | 48 |
        | 4-bay NAS, 4 × HDD | 32 |
        | Router, switch, access point | 19 |
        | **Total** | **99** |

        That's about 870 kWh a year. Ouch.
        """,
        day=30,
        replies=(
            R("okapi", """
                Three N100 mini PCs at 7–9 W each, a two-drive NAS at 18 W, network 14 W.
                Around 57 W in total.
                """),
            R("rackjack", """
                Embarrassing confession: 212 W before I pulled the spinning drives, 181 W now.
                The R720 was most of it, and it's sold.
                """),
            R("quietfan", "Supermicro 2U at 92 W idle, network 22 W. Yes, I know."),
            R("quietfan", "Supermicro 2U at 92 W idle, network 22 W. Yes, I know.",
              deleted="Double post, sorry.", after=0.03),
            R("kestrel", """
                One Raspberry Pi 4 with an SSD: 4.5 W. It runs Home Assistant and a Mosquitto
                broker, and that's my whole "lab".
                """),
            R("gus", "I want to be you when I grow up.", quote=5),
            R("packetloss", """
                Tip: measure with a smart plug for a whole week, not a snapshot. My "idle"
                number was 30% lower than the weekly average because of backups and scrubs.
                """),
            R("nyx", """
                i5-8500T mini PC 11 W, Synology DS920+ 24 W (drives spin down at night),
                network 16 W. About 51 W, and the Synology is next on the chopping block.
                """),
            R("gus", """
                Thanks, this is really useful. Swapping the i7 tower for an N100 box saves about
                35 W, which pays for the N100 in roughly 18 months. Ordered one.
                """),
            R("rackjack", """
                And it'll transcode better than the i7 thanks to Quick Sync. Win-win.
                """, quote=9, quote_text="which pays for the N100 in roughly 18 months"),
        ),
    ),
    T(
        "servers", "nyx", "Docker on Proxmox: LXC or VM?",
        """
        Proxmox people: where do you run Docker? I've run it inside a privileged LXC for years
        without trouble, but whenever I mention it someone tells me I'm going to get hurt.
        Is the VM overhead really worth it in a home lab?
        """,
        day=22,
        replies=(
            R("packetloss", """
                The official Proxmox answer is "VM", because Docker in LXC nests one container
                runtime inside another, and upgrades occasionally break it (AppArmor, cgroups,
                overlayfs). In practice plenty of people run it fine.
                """),
            R("rackjack", """
                VM. A small Debian VM costs maybe 300 MB of RAM. In exchange you get snapshots
                that work, live migration, and no surprises on a kernel update.
                """),
            R("nyx", """
                That's fair. I did lose an evening once when a kernel update broke overlayfs in
                my container.
                """, quote=2, quote_text="no surprises on a kernel update"),
            R("quietfan", """
                Unprivileged LXC with nesting enabled is the middle ground. *Privileged* LXC
                running Docker is what makes people nervous: root in the container is much
                closer to root on the host.
                """),
            R("nyx", """
                Right, that's the real point. Moving the internet-facing services into a VM and
                leaving the boring internal ones in LXC for now.
                """),
        ),
    ),
    T(
        "servers", "member", "Is a used mini PC a good first home server?",
        """
        Following on from my intro thread: I'd like a first home server for Immich (photos),
        Home Assistant and maybe Jellyfin. Budget about £200. I keep seeing used Dell OptiPlex
        Micro and Lenovo Tiny machines on eBay. Good idea? What should I look for?
        """,
        day=38,
        replies=(
            R("okapi", """
                They're the best value in home lab hardware right now. Look for 8th gen Intel or
                newer (i5-8500T, i5-9500T) so you get decent Quick Sync for Jellyfin. 16 GB of
                RAM is plenty to start with.
                """),
            R("rackjack", """
                Check the listing includes the power brick: they're proprietary and cost £20–30
                extra when missing. And make sure it has an NVMe slot; some early models are
                SATA only.
                """),
            R("nyx", """
                For Immich specifically, RAM matters more than CPU: the machine learning part
                likes 4–6 GB to itself. 16 GB, don't go lower.
                """),
            R("member", """
                Thank you! Found a Lenovo M720q with an i5-8500T, 16 GB and a 256 GB NVMe for
                £165 including the brick.
                """),
            R("okapi", """
                That's a good deal. Add a 2 TB SATA SSD in the 2.5" bay for the photos and
                you're set.
                """, quote=4, quote_text="£165 including the brick."),
            R("member", """
                It's here and Proxmox is installed. The fan is quieter than my laptop. Next
                step: backups, because nyx will find me if I don't.
                """),
            R("nyx", "I will. 🙂"),
        ),
    ),
    T(
        "servers", "member", "Backing up Proxmox to a USB drive: enough for now?",
        r"""
        The mini PC has been running for a month now: Immich, Home Assistant and Jellyfin. My
        only backup is a nightly `vzdump` to a USB drive plugged into the same machine:

        ```sh
        vzdump --all --mode snapshot --compress zstd --storage usb-backup \
          --prune-backups keep-daily=7
        ```

        I know this isn't 3-2-1. Is it good enough for a month or two while I save up for
        something better?
        """,
        day=3.1,
        replies=(
            R("nyx", """
                It's a lot better than nothing, and it covers the most common disaster: you
                breaking something. It doesn't cover the machine dying in a way that takes the
                USB drive with it (a power surge), theft, or fire.
                """),
            R("okapi", """
                Cheap upgrade: a second USB drive that you swap weekly and keep at work or at a
                friend's place. Offsite backup for the price of a drive.
                """),
            R("member", """
                That's doable. Is there a simple way to encrypt the one that leaves the house?
                """, quote=2, quote_text="a second USB drive that you swap weekly"),
            R("nyx", """
                Make it a LUKS volume, or move to Proxmox Backup Server later, which encrypts on
                the client. For now LUKS with the passphrase in your password manager is fine.
                """),
            R("member", """
                LUKS is set up on the second drive and the first swap is done. I also tested
                restoring the Home Assistant VM under a new ID. It worked, and I feel much
                better.
                """),
            R("nyx", "You tested a restore. Proud of you."),
        ),
    ),
)

NETWORKING = (
    T(
        "networking", "beepboop", "VLAN plan for IoT devices: please sanity check",
        """
        Finally separating my network. The router is OPNsense on a small fanless box, the
        switch is a TP-Link managed switch, plus one UniFi access point. The plan:

        | VLAN | Name | Subnet | What lives there |
        |---:|---|---|---|
        | 1 | Management | 10.0.1.0/24 | switch, AP, OPNsense |
        | 10 | Trusted | 10.0.10.0/24 | laptops, phones |
        | 20 | IoT | 10.0.20.0/24 | plugs, bulbs, TV, ESP32s |
        | 30 | Guest | 10.0.30.0/24 | visitors |

        IoT should reach the internet and Home Assistant (on Trusted, 10.0.10.5) and nothing
        else. Does this make sense?
        """,
        day=46,
        replies=(
            R("packetloss", """
                Mostly good. Two suggestions:

                - Don't use VLAN 1 for management. It's the default untagged VLAN on most
                  switches, so anything plugged into a misconfigured port lands there. Use 99
                  or similar.
                - Put Home Assistant on its own servers VLAN rather than Trusted. Otherwise
                  your "IoT may reach HA" rule is a hole into your laptops' subnet.
                """),
            R("beepboop", """
                Good point about HA. So a Servers VLAN 40, and IoT → Servers only on the Home
                Assistant ports?
                """),
            R("packetloss", """
                Exactly. On the IoT interface in OPNsense, top to bottom:

                ```
                pass   IoT net -> 10.0.40.5 TCP 8123, 1883   # Home Assistant, MQTT
                pass   IoT net -> IoT address UDP 53         # DNS from the firewall
                block  IoT net -> RFC1918 (alias)            # nothing else internal
                pass   IoT net -> any                        # the internet
                ```

                Order matters: the block for private ranges has to come before the final pass.
                """),
            R("lena.m", """
                Watch out for mDNS. Chromecast, AirPlay and several Home Assistant integrations
                discover devices by multicast, which doesn't cross VLANs. You'll want the mDNS
                repeater plugin in OPNsense, or static IPs for those integrations.
                """),
            R("beepboop", "I would 100% have lost a weekend to that. Thank you.", quote=4,
              quote_text="discover devices by multicast, which doesn't cross VLANs."),
            R("beepboop", """
                Everything is moved. The TV can't see my laptop any more, the ESP32s still talk
                to HA, and guests are properly isolated. (As confessed in the bench thread, I
                did spend an hour with my laptop on the IoT VLAN by accident.)
                """),
            R("packetloss", """
                Well done. Now write the plan down somewhere that isn't on the network you just
                segmented.
                """),
        ),
    ),
    T(
        "networking", "lena.m", "ESP devices keep dropping off my mesh Wi-Fi",
        """
        Since I replaced my router with a mesh system (three nodes, Wi-Fi 6), about a third of
        my ESP8266 and ESP32 devices drop off a few times a day. Phones and laptops are fine.
        The ESPs reconnect eventually, but Home Assistant shows them unavailable for minutes
        at a time. Has anyone seen this?
        """,
        day=41,
        replies=(
            R("kestrel", """
                Very common. ESP chips are 2.4 GHz only and cope badly with band steering,
                roaming "assist" features and WPA3 transition mode. If the mesh allows it, make a
                separate 2.4 GHz-only SSID with plain WPA2 for IoT.
                """),
            R("packetloss", """
                Also check the DTIM interval. Some mesh systems raise it to save client battery,
                and ESPs in light sleep then miss beacons. DTIM 1 or 3 is safer.
                """),
            R("lena.m", """
                A separate 2.4 GHz SSID is possible, just hidden in an "advanced" menu. Trying it
                tonight.
                """),
            R("ohm_my", """
                Pin the ESPs to one node if the mesh supports it. Otherwise they cling to a weak
                signal and the mesh doesn't move them along.
                """),
            R("lena.m", """
                Two days on the IoT SSID (WPA2 only, no band steering) and zero dropouts. Thank
                you all!
                """),
            R("kestrel", """
                Great. Also set `WiFi.setSleep(false)` on anything that's mains powered. Costs a
                little power, saves a lot of reconnects.
                """),
        ),
    ),
    T(
        "networking", "beepboop", "WireGuard: I can reach the server but not the LAN behind it",
        """
        I set up WireGuard on a Debian VM so I can reach home from outside. From my phone I
        can ping the VM (10.8.0.1) but nothing else on 10.0.10.0/24.

        Server `wg0.conf`:

        ```ini
        [Interface]
        Address = 10.8.0.1/24
        ListenPort = 51820
        PrivateKey = <server key>

        [Peer]
        # phone
        PublicKey = <phone key>
        AllowedIPs = 10.8.0.2/32
        ```

        The phone has `AllowedIPs = 10.8.0.0/24, 10.0.10.0/24`. What am I missing?
        """,
        day=18,
        replies=(
            R("packetloss", """
                Almost certainly two things:

                1. IP forwarding on the VM: `sysctl -w net.ipv4.ip_forward=1`, and make it
                   permanent in `/etc/sysctl.d/`.
                2. Devices on the LAN don't know how to reply to 10.8.0.0/24. Either add a
                   static route on your router (10.8.0.0/24 via the VM's LAN address) or
                   masquerade on the VM:

                ```ini
                PostUp = iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
                PostDown = iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE
                ```

                The static route is cleaner: your logs keep the real client addresses.
                """),
            R("beepboop", """
                It was both. Forwarding was off and there was no route. Added the route in
                OPNsense and it works over 4G now. Thanks!
                """),
            R("nyx", """
                And if the VM runs a firewall (nftables, ufw), allow forwarding there too. That's
                the third classic.
                """),
        ),
    ),
    T(
        "networking", "rackjack", "OPNsense or pfSense for a first firewall?",
        """
        I'm helping a friend set up a first proper firewall on a small N100 box. I've used
        pfSense for years, but most people here seem to run OPNsense. For a beginner, is there
        a real difference any more, or is it mostly tribal?
        """,
        day=31,
        replies=(
            R("packetloss", """
                Functionally they're close. OPNsense has the more modern UI, more frequent
                releases and a plugin system I find nicer. pfSense CE has the longer history and
                more old tutorials. For a beginner I'd pick OPNsense for the UI alone.
                """),
            R("quietfan", """
                pfSense here, and no plans to switch. The sheer amount of documentation and old
                forum answers is still the biggest advantage for a beginner.
                """),
            R("beepboop", """
                Beginner's view: I went with OPNsense a few months ago. The UI made sense to me
                and the built-in documentation is decent.
                """),
            R("okapi", """
                Honestly, anyone still recommending pfSense hasn't been paying attention.
                People who defend it after the licensing games are either paid to or clueless.
                """, deleted="Personal remarks. Argue with the point, not the people making it.",
              deleted_by="mod"),
            R("mod", """
                A reminder for everyone: strong opinions about software are welcome, remarks
                about the people holding them are not. I've removed one post. Please keep it
                technical.
                """, after=1.2),
            R("rackjack", """
                Thanks Tomás. For what it's worth, the licensing history *is* a fair point to
                raise, just not like that. I'll set my friend up on OPNsense for the UI and the
                release cadence, and keep my own pfSense box until it annoys me.
                """),
            R("okapi", """
                Fair call on the deletion, and sorry all. That came out far harsher than I meant
                it. The licensing thing bothers me, but that's no excuse.
                """),
            R("quietfan", """
                No harm done. And rackjack's conclusion is the sensible one: both are fine, pick
                the UI you'll actually keep maintaining.
                """),
        ),
    ),
    T(
        "networking", "hobbs", "Running Cat6 through a 1920s house: tips?",
        """
        Our house is from 1924: plaster and lath walls, balloon framing, and exactly one phone
        jack. I'd like Ethernet in the upstairs office and the living room. What has worked for
        people in old houses? I'm fine crawling around the attic, less fine cutting plaster.
        """,
        day=15,
        replies=(
            R("rackjack", """
                Balloon framing is your friend here: the stud bays run uninterrupted from the
                basement to the attic, so you can drop a cable from the attic straight down to
                an outlet. Get a long flexible drill bit (the 54" ones) and a set of fish sticks.
                """),
            R("packetloss", """
                Also follow the old phone wire. If it isn't stapled along the way, you can use
                it as a pull string for the new cable.
                """),
            R("volt_age", """
                Watch for knob-and-tube wiring in a house that age; some of it may still be
                live. If you see ceramic knobs in a bay, stop and have an electrician look
                before you fish anything past them.
                """),
            R("hobbs", """
                Good shout. There *is* some knob-and-tube in the attic, disconnected according
                to the inspection report, but I'll check it with a non-contact tester before I
                touch anything.
                """, quote=3, quote_text="If you see ceramic knobs in a bay, stop and have an "
                                         "electrician look before you fish anything past them."),
            R("gus", """
                If drilling really isn't an option, MoCA over existing coax is surprisingly good.
                I get about 900 Mbit/s between two adapters.
                """),
            R("hobbs", """
                The office run is done! The phone wire came out with some persuasion and pulled
                the Cat6 through behind it. The living room can wait until the attic is cooler.
                """),
        ),
    ),
    T(
        "networking", "gus", "2.5 GbE switch for a small lab: recommendations?",
        """
        The N100 box and my new NAS both have 2.5 GbE ports, and my switch is 1 GbE. Looking for
        a small (5–8 port) 2.5 GbE switch, ideally fanless and with VLAN support. What are
        people using?
        """,
        day=0.9,
        replies=(
            R("packetloss", """
                For VLANs you need a managed, or at least "smart", switch. Many cheap 2.5 GbE
                switches are unmanaged, so check that first. The 8-port ones with two SFP+
                uplinks are a good compromise if you might add 10G later.
                """),
            R("rackjack", """
                I have one of the generic 8-port managed ones with 2 × SFP+. Fanless, about
                8 W, and VLANs work, even if the web UI is ugly. It runs warm, so don't shut it
                in a closed cabinet.
                """),
            R("gus", "Managed with SFP+ it is. Can the ugly web UI at least save the config?"),
            R("rackjack", """
                It can, as a binary blob. Take a screenshot of every VLAN page as well. Trust me.
                """),
        ),
    ),
)

SELF_HOSTING = (
    T(
        "self-hosting", "nyx", "My backup strategy: please roast it",
        r"""
        I've been meaning to write this down properly, so here it is. Roast away.

        - **What:** Nextcloud data, Immich library, Home Assistant config, Docker volumes,
          Proxmox VM backups
        - **Local:** Proxmox Backup Server on a separate box, nightly; keeps 14 daily,
          8 weekly, 6 monthly
        - **Offsite:** restic to a rented storage box, nightly, encrypted

        ```sh
        restic -r sftp:backup@storage.example.net:/restic backup \
          /srv/nextcloud /srv/immich /srv/hass \
          --exclude-caches --exclude '*.tmp'
        restic forget --keep-daily 7 --keep-weekly 5 --keep-monthly 12 --prune
        ```

        - **Testing:** a monthly `restic check --read-data-subset=5%`, and every quarter I
          restore a random folder by hand.
        """,
        day=48,
        replies=(
            R("okapi", """
                Honestly solid. One gap: the restic password and the storage credentials. If
                they only live on the machines being backed up, a fire takes the keys with the
                data.
                """),
            R("nyx", """
                Printed in a sealed envelope at my sister's place, and in my password manager.
                But it's a good question: that's the one people forget.
                """, quote=1, quote_text="If they only live on the machines being backed up, "
                                         "a fire takes the keys with the data."),
            R("quietfan", """
                What about databases? Copying a live PostgreSQL data directory isn't a backup,
                it's a coin toss.
                """),
            R("nyx", """
                Nextcloud and Immich each get a `pg_dump` into the backup folder an hour before
                restic runs. Should have mentioned that.
                """),
            R("rackjack", """
                The quarterly restore test puts you ahead of 95% of us. Including me: last year
                I found out my "backups" had been failing silently for three months.
                """),
            R("member", """
                Saving this as my template. One question: why both PBS *and* restic rather than
                just one?
                """),
            R("nyx", """
                Different failures. PBS gives fast whole-VM restores when I break something at
                home; restic is the offsite copy for when the house itself is the problem. Two
                different programs also means one bug can't take out both.
                """, quote=6, quote_text="why both PBS *and* restic rather than just one?"),
        ),
    ),
    T(
        "self-hosting", "ohm_my", "Zigbee2MQTT or ZHA?",
        """
        Setting up Zigbee in Home Assistant with a Sonoff ZBDongle-E. About 30 devices planned:
        Aqara sensors, IKEA bulbs and a few Tuya plugs. ZHA (built in) or Zigbee2MQTT?
        """,
        day=43,
        replies=(
            R("lena.m", """
                I started on ZHA and moved to Zigbee2MQTT after a year. Z2M supports more
                devices (especially the odd Tuya ones), and its web UI for the network map and
                firmware updates is better.
                """),
            R("kestrel", """
                ZHA is perfectly good if your devices are supported, and it's one less thing to
                run. Check each device against both compatibility lists before deciding.
                """),
            R("ohm_my", "Half of my Tuya plugs are only on the Z2M list. Decision made."),
            R("lena.m", """
                Tip: you can't move devices between the two later without re-pairing them, so
                pick once. And put the dongle on a USB extension cable, away from USB 3 ports;
                they're noisy at 2.4 GHz.
                """),
            R("ohm_my", """
                Up and running on Z2M with 31 devices. The extension cable fixed two sensors
                that kept dropping out. Thank you!
                """),
        ),
    ),
    T(
        "self-hosting", "lena.m", "Nextcloud is painfully slow. What am I doing wrong?",
        """
        Nextcloud in Docker on a mini PC (i5, 16 GB, NVMe). Every page takes 3–5 seconds and
        the Files app crawls through a few thousand photos. Is it just Nextcloud, or can this
        be fixed?
        """,
        day=35,
        replies=(
            R("nyx", r"""
                It can usually be fixed. Most slow installs are missing one of: Redis for file
                locking and caching, APCu as the local cache, and a real cron job instead of
                AJAX background jobs. In `config.php`:

                ```php
                'memcache.local' => '\OC\Memcache\APCu',
                'memcache.distributed' => '\OC\Memcache\Redis',
                'memcache.locking' => '\OC\Memcache\Redis',
                'redis' => [
                  'host' => 'redis',
                  'port' => 6379,
                ],
                ```
                """),
            R("quietfan", """
                And check you're on PostgreSQL or MariaDB, not SQLite. The installer offers
                SQLite, and it's a trap for anything beyond a single user.
                """),
            R("lena.m", """
                …guilty. I picked SQLite because it was the default in the guide I followed.
                """, quote=2, quote_text="The installer offers SQLite, and it's a trap"),
            R("nyx", """
                `occ db:convert-type` migrates it to PostgreSQL in place. Back up first,
                obviously.
                """),
            R("lena.m", """
                Converted to PostgreSQL, added Redis and APCu, switched to system cron. Pages
                load in under a second now. I feel silly, but thank you!
                """),
            R("gus", """
                Don't feel silly, half the guides out there recommend SQLite "to keep it simple".
                Glad it's sorted.
                """),
            R("okapi", """
                If you want the photos faster still, the Preview Generator app plus a nightly
                `occ preview:pre-generate` makes the gallery snappy.
                """),
        ),
    ),
    T(
        "self-hosting", "gus", "Jellyfin hardware transcoding on an N100: working compose file",
        """
        The N100 arrived (thanks, power bill thread). It took me a while to get Quick Sync
        working in Docker, so here's what worked, for the next person:

        ```yaml
        services:
          jellyfin:
            image: jellyfin/jellyfin:latest
            devices:
              - /dev/dri/renderD128:/dev/dri/renderD128
            group_add:
              - "105"   # the host's render group: getent group render
            volumes:
              - ./config:/config
              - /mnt/media:/media:ro
            restart: unless-stopped
        ```

        Then in *Dashboard → Playback*, pick Intel QuickSync (QSV) and enable hardware
        decoding for everything except AV1. Three simultaneous 4K → 1080p transcodes run at
        about 30% CPU.
        """,
        day=24,
        replies=(
            R("okapi", """
                Nice write-up. One addition: on Debian 12 you may need the GuC/HuC firmware from
                `non-free-firmware` for low-power encoding on the N100. Check
                `dmesg | grep -i guc`.
                """),
            R("gus", "`dmesg` says GuC is loaded, so I think I'm fine. Adding it to my notes."),
            R("member", """
                Saving this for when I get to Jellyfin. Does the group really have to be a
                number?
                """),
            R("gus", """
                It has to match the host's render group, and the container doesn't know the
                host's group names, so the number is the reliable way. `getent group render` on
                the host tells you which.
                """, quote=3, quote_text="Does the group really have to be a number?"),
            R("rackjack", """
                That's a great performance-per-watt result. My old server used more power
                transcoding one stream than your N100 uses for three.
                """),
        ),
    ),
    T(
        "self-hosting", "quietfan", "Reverse proxy: Caddy, Traefik or nginx?",
        """
        Moving my services behind one reverse proxy with proper TLS; at the moment it's a mess
        of port numbers. Which one do you run, and why?
        """,
        day=19,
        replies=(
            R("nyx", """
                Caddy. Automatic HTTPS, and the config fits on a postcard:

                ```
                cloud.example.net {
                    reverse_proxy nextcloud:80
                }

                photos.example.net {
                    reverse_proxy immich-server:2283
                }
                ```

                That's the whole file. Certificates just happen.
                """),
            R("rackjack", """
                Traefik, because it reads Docker labels and I never touch a config file when I
                add a service. The learning curve is real though; the docs assume you already
                understand it.
                """),
            R("packetloss", """
                This is my entire experience of Traefik. nginx for me: boring, documented
                everywhere, and I already know it.
                """, quote=2, quote_text="the docs assume you already understand it."),
            R("quietfan", """
                Trying Caddy first since it's the least to learn. If I end up with more than
                twenty services I may look at Traefik again.
                """),
            R("nyx", """
                One Caddy gotcha: if your services are internal only, use the DNS challenge for
                certificates (there are modules for most DNS providers). Otherwise Let's Encrypt
                can't reach you to validate.
                """),
            R("quietfan", """
                Done, DNS challenge working. Eleven services, one Caddyfile, 34 lines. Thanks!
                """,
              edit="**Edit:** 35 lines. Added Jellyfin, since gus made it look easy.",
              edit_after=52),
        ),
    ),
    T(
        "self-hosting", "beepboop", "Pi-hole or AdGuard Home?",
        """
        I want network-wide ad blocking. Pi-hole seems to be the classic, AdGuard Home the
        newer option. Any strong reasons either way?
        """,
        day=10,
        replies=(
            R("kestrel", "Pi-hole for years, no complaints. Huge community and plenty of lists."),
            R("nyx", """
                AdGuard Home has encrypted DNS upstreams (DoH/DoT) built in and a nicer UI.
                Pi-hole can do it too, but needs cloudflared or unbound alongside.
                """),
            R("packetloss", """
                Whichever you pick, run two instances, or make sure DHCP hands out a fallback.
                When your only DNS server goes down the whole house thinks the internet is down,
                and you'll hear about it.
                """),
            R("beepboop", "Said like someone who has heard about it.", quote=3,
              quote_text="and you'll hear about it."),
            R("packetloss", "Three times. Christmas morning was the worst."),
            R("beepboop", """
                Went with AdGuard Home on the OPNsense box plus a second instance on a Pi.
                It blocks about 18% of all queries, which is a bit horrifying.
                """),
        ),
    ),
)

THREADS = SERVERS + NETWORKING + SELF_HOSTING
