#!/usr/bin/env python3
"""Whole-process figures for `plivo-dash exporter` watching 100 accounts on
local sandboxes (`plivo-dash sandbox --accounts 100`), beside the same
exporter watching one, in one run on this machine. Needs GNU time. Prints a
Markdown table.

    cargo build --release && python3 benches/exporter.py target/release/plivo-dash
    IDLE_SECONDS=10 python3 benches/exporter.py target/release/plivo-dash   # rougher

Scrape times are measured by a client on a kept-alive connection against the
running exporter, with `/healthz` (a handler that encodes nothing) as the
baseline in the same run.
"""
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
ACCOUNTS = int(os.environ.get("ACCOUNTS", "100"))
IDLE = float(os.environ.get("IDLE_SECONDS", "60"))
SCRAPES = 1000
work = tempfile.mkdtemp()
env = dict(os.environ, HOME=work, XDG_CONFIG_HOME=work, XDG_STATE_HOME=f"{work}/state")


def sandbox(n):
    config = open(f"{work}/fleet{n}.toml", "w")
    proc = subprocess.Popen([BIN, "sandbox", "--accounts", str(n), "--drain", "0.01"],
                            stdout=config, stderr=subprocess.DEVNULL, env=env)
    lines = 3 if n == 1 else 2 + n * 5
    for _ in range(200):
        if sum(1 for _ in open(config.name)) >= lines:
            break
        time.sleep(0.05)
    os.chmod(config.name, 0o600)
    return proc, config.name


def exporter(config, n, interval):
    e = dict(env)
    args = [BIN, "exporter", "--listen", "127.0.0.1:0", "--interval", str(interval)]
    if n == 1:
        text = open(config).read()
        for var in ("PLIVO_API_URL", "PLIVO_AUTH_ID", "PLIVO_AUTH_TOKEN"):
            e[var] = re.search(rf"^export {var}=(.*)$", text, re.M).group(1)
    else:
        e["PLIVO_DASH_CONFIG"] = config
        args.append("--all-profiles")
    rusage = f"{work}/time-{n}-{interval}.txt"
    proc = subprocess.Popen(["/usr/bin/time", "-v", "-o", rusage] + args,
                            stderr=subprocess.PIPE, env=e, text=True)
    line = proc.stderr.readline()
    port = int(re.search(r"127\.0\.0\.1:(\d+)/metrics", line).group(1))
    child = int(subprocess.check_output(["pgrep", "-P", str(proc.pid)]).split()[0])
    conn = http.client.HTTPConnection("127.0.0.1", port)
    start = time.monotonic()
    while get(conn, "/healthz")[0] != 200:
        time.sleep(0.02)
    return proc, child, conn, rusage, time.monotonic() - start


def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def timed(conn, path, n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        status, _ = get(conn, path)
        times.append(time.perf_counter() - t)
        assert status == 200
    return statistics.median(times) * 1e6, sorted(times)[int(n * 0.99)] * 1e6


def requests_made(conn):
    _, body = get(conn, "/metrics")
    return sum(float(l.rsplit(" ", 1)[1]) for l in body.decode().splitlines()
               if l.startswith("plivo_api_requests_total"))


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(proc, child, rusage):
    os.kill(child, signal.SIGTERM)
    proc.wait()
    text = open(rusage).read()
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))


results = {}
for n in (ACCOUNTS, 1):
    sb, config = sandbox(n)
    try:
        # Requests caused by scrapes: none may be due, so the period is long.
        proc, child, conn, ready, = exporter(config, n, 3600)[:4]
        time.sleep(2)
        before = requests_made(conn)
        for _ in range(SCRAPES):
            get(conn, "/metrics")
        caused = requests_made(conn) - before
        stop(proc, child, ready)
        # Latency, idle CPU and memory at the default 60 s period.
        proc, child, conn, rusage, fill = exporter(config, n, 60)
        time.sleep(10)
        scrape = timed(conn, "/metrics", SCRAPES)
        health = timed(conn, "/healthz", SCRAPES)
        size = len(get(conn, "/metrics")[1])
        conn.close()
        cpu0 = cpu_seconds(child)
        time.sleep(IDLE)
        idle = (cpu_seconds(child) - cpu0) / IDLE * 100
        rss = stop(proc, child, rusage)
        results[n] = dict(caused=caused, scrape=scrape, health=health, size=size,
                          idle=idle, rss=rss, fill=fill)
    finally:
        sb.terminate()
        sb.wait()

f, o = results[ACCOUNTS], results[1]
print(f"| measure | {ACCOUNTS} accounts | one account | target |")
print("|---|---|---|---|")
print(f"| `/metrics` median (p99), {SCRAPES} scrapes, kept-alive | {f['scrape'][0]:.0f} µs ({f['scrape'][1]:.0f} µs) | {o['scrape'][0]:.0f} µs ({o['scrape'][1]:.0f} µs) | < 1 ms |")
print(f"| `/healthz` median, same run (baseline) | {f['health'][0]:.0f} µs | {o['health'][0]:.0f} µs | |")
print(f"| scrape ÷ baseline | {f['scrape'][0] / f['health'][0]:.2f}× | {o['scrape'][0] / o['health'][0]:.2f}× | |")
print(f"| scrape size | {f['size'] / 1024:.1f} KiB | {o['size'] / 1024:.1f} KiB | |")
print(f"| upstream requests caused by {SCRAPES} scrapes | {f['caused']:.0f} | {o['caused']:.0f} | 0 |")
print(f"| ready (`/healthz` 200) after start | {f['fill']:.2f} s | {o['fill']:.2f} s | |")
print(f"| idle CPU over {IDLE:.0f} s at `--interval 60` | {f['idle']:.3f}% | {o['idle']:.3f}% | < 0.1% |")
print(f"| peak RSS (GNU time) | {f['rss'] / 1024:.1f} MiB | {o['rss'] / 1024:.1f} MiB | < 20 MiB |")
