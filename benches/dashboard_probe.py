#!/usr/bin/env python3
"""Runs the plivo-dash dashboard in a pseudo-terminal and measures it as a
process: time to the first frame and to the first data, CPU time over a
stretch of idle wall time, and peak resident memory.

  dashboard_probe.py startup BINARY RUNS            -> median ms to first frame / first data
  dashboard_probe.py idle BINARY SECONDS [ARGS...]   -> CPU seconds and peak RSS over SECONDS
                                                       (after PROBE_SETTLE seconds, default 0)

The environment (PLIVO_API_URL, PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN) must point
at a sandbox.
"""
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time

COLS, ROWS = 120, 35


def spawn(binary, args):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execv(binary, [binary, *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    return pid, fd


def read_until(fd, needles, deadline):
    """Reads output until each needle has been seen; returns when each was."""
    seen, buf = {}, b""
    while len(seen) < len(needles) and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if fd in ready:
            try:
                buf += os.read(fd, 65536)
            except OSError:
                break
            for n in needles:
                if n not in seen and n.encode() in buf:
                    seen[n] = time.monotonic()
    return seen


def stop(pid, fd):
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)


def startup(binary, runs):
    first_frame, first_data = [], []
    for _ in range(runs):
        start = time.monotonic()
        pid, fd = spawn(binary, [])
        seen = read_until(fd, ["plivo-dash", "USD"], start + 10)
        stop(pid, fd)
        first_frame.append((seen["plivo-dash"] - start) * 1000)
        first_data.append((seen["USD"] - start) * 1000)
    print(f"first_frame_ms {statistics.median(first_frame):.1f}")
    print(f"first_data_ms {statistics.median(first_data):.1f}")


def idle(binary, seconds, args):
    pid, fd = spawn(binary, args)
    read_until(fd, ["USD"], time.monotonic() + 10)
    # PROBE_SETTLE seconds first (a fleet's first fill), output drained.
    settle = time.monotonic() + float(os.environ.get("PROBE_SETTLE", "0"))
    while time.monotonic() < settle:
        read_until(fd, ["\0never"], min(settle, time.monotonic() + 1))
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu():
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    before = cpu()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        # Keep draining the terminal so the program never blocks on output.
        read_until(fd, ["\0never"], min(end, time.monotonic() + 1))
    used = cpu() - before
    status = open(f"/proc/{pid}/status").read()
    peak = next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM:"))
    stop(pid, fd)
    print(f"cpu_seconds {used:.3f}")
    print(f"peak_rss_kib {peak}")


if __name__ == "__main__":
    mode, binary = sys.argv[1], sys.argv[2]
    if mode == "startup":
        startup(binary, int(sys.argv[3]))
    else:
        idle(binary, float(sys.argv[3]), sys.argv[4:])
