#!/usr/bin/env python3
"""bench/boot.d/console-timer.py: run a VM, timestamp its serial console.

Usage: console-timer.py --log FILE --marker TAG --timeout SECS -- COMMAND...

Runs COMMAND (QEMU, its serial console on stdout) with standard input
closed, reads its output as it comes and writes every line to FILE
prefixed with the host's time since the start ("[  12.345] line").
Prints key=value lines on stdout:

  marker_wall=S     host seconds from the start to the first line holding TAG
  marker_line=...   that line
  linux_wall=S      host seconds to the kernel's first line ("Linux version")
  exit_wall=S       host seconds until COMMAND exited
  rc=N              its exit status (124: killed at the timeout)

The clock is CLOCK_MONOTONIC; the start is taken just before the exec.
"""
import os
import re
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    log = marker = None
    timeout = 600.0
    while args and args[0] != "--":
        opt = args.pop(0)
        if opt == "--log":
            log = args.pop(0)
        elif opt == "--marker":
            marker = args.pop(0).encode()
        elif opt == "--timeout":
            timeout = float(args.pop(0))
        else:
            sys.exit("console-timer: unknown option " + opt)
    if not args or log is None or marker is None:
        sys.exit(__doc__)
    cmd = args[1:]

    out = open(log, "wb")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    fd = proc.stdout.fileno()
    os.set_blocking(fd, True)
    found = {}
    pending = b""
    rc = None
    deadline = t0 + timeout

    def note(line, t):
        out.write(b"[%8.3f] " % t + line + b"\n")
        if "marker" not in found and marker in line:
            found["marker"] = (t, line)
        if "linux" not in found and b"Linux version" in line:
            found["linux"] = (t, line)

    import select
    while True:
        now = time.monotonic()
        if now > deadline:
            proc.kill()
            proc.wait()
            rc = 124
            break
        r, _, _ = select.select([fd], [], [], min(1.0, deadline - now))
        if not r:
            continue
        chunk = os.read(fd, 65536)
        t = time.monotonic() - t0
        if not chunk:
            break
        pending += chunk
        *lines, pending = re.split(rb"\r?\n", pending)
        for line in lines:
            note(line, t)
    if pending:
        note(pending, time.monotonic() - t0)
    if rc is None:
        try:
            rc = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = 124
    t_exit = time.monotonic() - t0
    out.close()

    if "marker" in found:
        print("marker_wall=%.3f" % found["marker"][0])
        print("marker_line=" + found["marker"][1].decode("utf-8", "replace").strip())
    if "linux" in found:
        print("linux_wall=%.3f" % found["linux"][0])
    print("exit_wall=%.3f" % t_exit)
    print("rc=%d" % rc)


if __name__ == "__main__":
    main()
