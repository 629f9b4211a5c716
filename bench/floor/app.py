"""The floor: a thread page of 20 posts rendered by Flask + Jinja from memory.

No database, no ORM, no Markdown at request time (bodies are stored HTML), no sessions, login
or CSRF: whatever a real forum does per request comes on top. The benchmark serves it beside
Agora in the same run and reports Agora's pages as a ratio to this thread page.

    gunicorn -w 2 -b 127.0.0.1:8102 app:app      (from this folder)
"""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from flask import Flask, abort, render_template, request
from markupsafe import Markup

PER_PAGE = 20
THREAD_COUNT, THREAD_LENGTH, MEMBER_COUNT = 40, 1000, 1000
WORDS = tuple(str.split(
    "post reply thread board member server disk backup printer nozzle kernel driver query index "
    "cache worker memory latency release config question answer solder varnish clamp router "
    "switch firewall garden tomato python script socket"
))

app = Flask(__name__)


def _paragraph(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(20, 70))]
    return " ".join(words).capitalize() + "."


def _community() -> list[dict]:
    rng = random.Random(7)
    epoch = datetime(2025, 1, 1, tzinfo=UTC)
    members = [{
        "name": f"member{n:04d}",
        "posts": rng.randint(1, 4000),
        "role": "Member",
        "joined": (epoch - timedelta(days=rng.randint(1, 1000))).date().isoformat(),
        "signature": f"Signature of member{n:04d}" if rng.random() < 0.3 else "",
    } for n in range(MEMBER_COUNT)]
    threads = []
    for t in range(THREAD_COUNT):
        posts = []
        for p in range(THREAD_LENGTH):
            paragraphs = [_paragraph(rng) for _ in range(rng.choice((1, 2, 2, 3)))]
            posts.append({
                "id": t * THREAD_LENGTH + p + 1,
                "position": p + 1,
                "author": members[rng.randrange(MEMBER_COUNT)],
                "created": (epoch + timedelta(minutes=41 * p)).strftime("%Y-%m-%d %H:%M"),
                "html": Markup("".join(f"<p>{x}</p>" for x in paragraphs)),
            })
        threads.append({"id": t + 1, "title": f"Thread {t + 1} on {rng.choice(WORDS)}",
                        "board": {"id": t % 20 + 1, "title": f"Board {t % 20 + 1}"},
                        "posts": posts})
    return threads


THREADS = _community()


@app.get("/hello")
def hello():
    return "hello"


@app.get("/")
def index():
    return render_template("index.html", threads=THREADS[:20])


@app.get("/t/<int:thread_id>")
def thread(thread_id: int):
    if not 1 <= thread_id <= len(THREADS):
        abort(404)
    chosen = THREADS[thread_id - 1]
    pages = -(-len(chosen["posts"]) // PER_PAGE)
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= pages:
        abort(404)
    posts = chosen["posts"][(page - 1) * PER_PAGE: page * PER_PAGE]
    return render_template("thread.html", thread=chosen, posts=posts, page=page, pages=pages)
