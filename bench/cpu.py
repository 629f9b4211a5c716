"""CPU time per page, in this process, through Flask's test client on a seeded scratch instance.

    python bench/cpu.py --workdir /tmp/agora-bench/100000 --only thread_p1,board --viewer member
    python bench/cpu.py --workdir … --only thread_p1 --profile 30   # the 30 costliest functions

wrk figures (bench/run.py) swing with whatever else the machine runs; the CPU time one process
spends on a request barely does, so this is how two revisions (or two designs) of a page are
compared on a busy machine: run it in each checkout against the same scratch instance. The best
of --rounds rounds of --requests requests is reported, after a warm-up that fills the caches
the way a running server's are filled.
"""
from __future__ import annotations

import argparse
import cProfile
import ctypes
import io
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench_run  # noqa: E402  (the scratch instance's environment and page finder)


def _pages(found: dict) -> dict[str, str]:
    longest, posts = found["longest"]
    return {
        "index": "/",
        "board": f"/b/{found['board']}",
        "thread_p1": f"/t/{longest}",
        "thread_p500": f"/t/{longest}?page={min(500, (posts + 19) // 20)}",
        "thread_short": f"/t/{found['typical']}",
        "profile": f"/u/{found['user']}",
        "events": "/events",
        "new": "/new",
    }


def _log_in(client, username: str) -> None:
    html = client.get("/login").get_data(as_text=True)
    form = {"login": username, "password": bench_run.PASSWORD}
    if token := bench_run._csrf_token(html):
        form["csrf_token"] = token
    response = client.post("/login", data=form)
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {username}: {response.status_code}")


def _count_instructions(args, command: list[str], env: dict) -> int:
    """Run the measuring process under callgrind; it zeroes the counters before each page's
    requests and dumps them after (bench/callgrind_marks.c), so start-up and warm-up don't
    count. Instruction counts repeat to a fraction of a per cent whatever else the machine
    runs, at about a hundredth of the speed."""
    with tempfile.TemporaryDirectory() as folder:
        marks = Path(folder) / "marks.so"
        subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(marks),
                        str(HERE / "callgrind_marks.c")], check=True)
        env = {**env, "AGORA_CPU_MARKS": str(marks)}
        code = subprocess.run(["valgrind", "--tool=callgrind", "--quiet",
                               f"--callgrind-out-file={folder}/out", *command],
                              env=env, cwd=bench_run.ROOT).returncode
        for dump in sorted(Path(folder).glob("out.*")):
            text = dump.read_text(errors="replace")
            label = re.search(r"^desc: Trigger: Client Request: (.*)$", text, re.M)
            total = re.search(r"^summary: (\d+)", text, re.M)
            if label and total:
                name, size = label.group(1).rsplit(" ", 1)
                print(f"{args.viewer:6} {name:13} {int(total.group(1)) / args.requests / 1e6:7.2f} "
                      f"M instructions  {int(size) / 1024:5.1f} KB")
        return code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", required=True, help="a scratch instance bench/run.py seeded")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--only", default="index,board,thread_p1,thread_p500,thread_short")
    parser.add_argument("--viewer", default="member", choices=("guest", "member"))
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checkout", default="",
                        help="time the forum of another checkout (another revision) instead")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions per request under valgrind's callgrind instead")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args()

    env = bench_run.app_env(args)
    if os.environ.get("AGORA_CPU_CHILD") != "1":
        # The app reads its configuration from the environment: run again inside it.
        env["AGORA_CPU_CHILD"] = "1"
        found = subprocess.run([sys.executable, "-c", bench_run.PAGE_FINDER], cwd=bench_run.ROOT,
                               env=env, capture_output=True, text=True, check=True).stdout
        env["AGORA_CPU_PAGES"] = found
        command = [sys.executable, *sys.argv]
        if args.instructions:
            raise SystemExit(_count_instructions(args, command, env))
        raise SystemExit(subprocess.run(command, env=env, cwd=bench_run.ROOT).returncode)

    # This checkout's forum, whatever the environment's editable install points at.
    sys.path.insert(0, args.checkout or str(bench_run.ROOT))
    from forum import create_app

    pages = _pages(json.loads(os.environ["AGORA_CPU_PAGES"]))
    # Under callgrind a request takes a hundred times as long: kept pages of posts would
    # expire between the warm-up and the counted requests.
    slow = {"POST_LIST_CACHE_SECONDS": 24 * 3600} if os.environ.get("AGORA_CPU_MARKS") else {}
    app = create_app({"SERVER_NAME": None, **slow})
    print(f"forum from {Path(sys.modules['forum'].__file__).parent}")
    client = app.test_client()
    if args.viewer == "member":
        _log_in(client, "bench_member1")
    results = {}
    for label in [name for name in args.only.split(",") if name]:
        path = pages[label]
        for _ in range(20):  # the kept fragments and compiled statements a server would have
            response = client.get(path)
        if response.status_code != 200:
            print(f"{label}: {path} answered {response.status_code}")
            continue
        size = len(response.get_data())
        if os.environ.get("AGORA_CPU_MARKS"):
            marks = ctypes.CDLL(os.environ["AGORA_CPU_MARKS"])
            marks.cg_zero()
            for _ in range(args.requests):
                client.get(path)
            marks.cg_dump(f"{label} {size}".encode())
            continue
        best = float("inf")
        for _ in range(args.rounds):
            started = time.process_time()
            for _ in range(args.requests):
                client.get(path)
            best = min(best, (time.process_time() - started) / args.requests)
        results[label] = (best * 1000, size)
        print(f"{args.viewer:6} {label:13} {best * 1000:6.2f} ms CPU  {size / 1024:5.1f} KB")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                client.get(path)
            profiler.disable()
            if os.environ.get("AGORA_CPU_DUMP"):
                profiler.dump_stats(os.environ["AGORA_CPU_DUMP"])
            out = io.StringIO()
            order = os.environ.get("AGORA_CPU_SORT", "tottime")  # or "cumulative"
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.profile)
            print(out.getvalue())


if __name__ == "__main__":
    main()
