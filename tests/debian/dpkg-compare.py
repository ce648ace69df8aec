#!/usr/bin/env python3
"""firn's Debian version comparison against `dpkg --compare-versions`.

Usage: dpkg-compare.py VERSION_TOOL

Draws version pairs from the apt index (the Packages lists under
/var/lib/apt/lists, or `apt-cache dumpavail` without them):

  suites     the same package in different suites (bookworm, -updates,
             -security): every such pair
  source     a binary's version against its Source: version (binNMUs, ...)
  epoch      versions with an epoch or a '~' against related and random ones
  variant    a version against a near variant of itself (~, +b1, .0, -0,
             an epoch added or dropped, a digit run bumped or zero-padded)
  relation   `A OP B` with the dependency-field operators << <= = >= >> < >
  chain      adjacent versions of a random sample sorted by firn
  random     random pairs of distinct versions, to fill up the count

firn's answers come from VERSION_TOOL (tests/debian/version-tool.c), all at
once; each pair is then checked with one dpkg process: firn's claimed
relation (lt, eq or gt; or OP) must hold. The chain also checks firn's order
is total: dpkg confirming every adjacent step means dpkg agrees on every pair
of the chain, and firn is checked (alone) to agree with its own sort on
random pairs of it.

Prints "N passed, N failed" (of the pairs checked against dpkg) and the
first mismatches; exits 1 on any mismatch or a break in firn's own order, 77
(skip) without dpkg or an index.

Environment: FIRN_DPKG_PAIRS (pairs to check with dpkg, default 10000),
FIRN_DPKG_JOBS (parallel dpkg processes, default 2), FIRN_DPKG_SEED.
"""
import glob
import gzip
import lzma
import os
import random
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

SKIP = 77
LISTS = "/var/lib/apt/lists"
MAX_SHOWN = 20


def log(msg):
    print(msg, flush=True)


def read_list(path):
    """The text of one Packages list, whatever its compression."""
    if path.endswith(".lz4"):
        for cmd in (["lz4cat", path], ["/usr/lib/apt/apt-helper", "cat-file", path]):
            if shutil.which(cmd[0]):
                return subprocess.run(cmd, check=True, capture_output=True).stdout.decode("utf-8", "replace")
        raise RuntimeError("no lz4cat or apt-helper to read " + path)
    if path.endswith(".gz"):
        with gzip.open(path, "rt", errors="replace") as f:
            return f.read()
    if path.endswith(".xz"):
        with lzma.open(path, "rt", errors="replace") as f:
            return f.read()
    with open(path, errors="replace") as f:
        return f.read()


FIELD = re.compile(r"^(Package|Version|Source):[ \t]*(\S+)(?:[ \t]+\((\S+)\))?", re.M)


def parse_stanzas(text, suite, entries):
    """Appends (suite, package, version, source, source_version) per stanza
    (Package comes first in a stanza, as apt writes the lists)."""
    cur = None
    for m in FIELD.finditer(text):
        field, value = m.group(1), m.group(2)
        if field == "Package":
            if cur and cur[2]:
                entries.append(tuple(cur))
            cur = [suite, value, None, value, None]
        elif cur is None:
            continue
        elif field == "Version":
            cur[2] = value
        else:
            cur[3], cur[4] = value, m.group(3)
    if cur and cur[2]:
        entries.append(tuple(cur))


def load_index():
    entries = []
    paths = sorted(p for p in glob.glob(os.path.join(LISTS, "*_Packages*"))
                   if re.search(r"_Packages(\.(lz4|gz|xz))?$", p))
    for path in paths:
        m = re.search(r"_dists_(.+?)_binary-", os.path.basename(path))
        parse_stanzas(read_list(path), m.group(1) if m else os.path.basename(path), entries)
    where = "%d lists under %s" % (len(paths), LISTS)
    if not entries and shutil.which("apt-cache"):
        out = subprocess.run(["apt-cache", "dumpavail"], capture_output=True)
        parse_stanzas(out.stdout.decode("utf-8", "replace"), "dumpavail", entries)
        where = "apt-cache dumpavail"
    return entries, where


def run_tool(tool, lines, args=()):
    out = subprocess.run([tool, *args], input="".join(l + "\n" for l in lines),
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("version-tool failed (%d): %s" % (out.returncode, out.stderr.strip()))
    res = out.stdout.splitlines()
    if not args and len(res) != len(lines):
        sys.exit("version-tool answered %d of %d lines" % (len(res), len(lines)))
    return res


DEVNULL = os.open(os.devnull, os.O_RDWR)
DPKG = shutil.which("dpkg")
ENV = dict(os.environ, LC_ALL="C")
FILE_ACTIONS = [(os.POSIX_SPAWN_DUP2, DEVNULL, fd) for fd in (0, 1, 2)]


def dpkg(a, op, b):
    """dpkg --compare-versions A OP B: True, False, or None for an error.
    posix_spawn: process creation dominates the cost here."""
    pid = os.posix_spawn(DPKG, ["dpkg", "--compare-versions", a, op, b], ENV,
                         file_actions=FILE_ACTIONS)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    return {0: True, 1: False}.get(code)


def dpkg_cmp(a, b):
    """dpkg's -1/0/1 for a mismatch report."""
    if dpkg(a, "lt", b):
        return -1
    return 0 if dpkg(a, "eq", b) else 1


def variants(v, rng):
    """Near variants of v that are valid versions."""
    out = [v + "~", v + "~rc1", v + "+b1", v + ".0", v + "a", v + "-0", v + "~~"]
    if ":" in v:
        out.append(v.split(":", 1)[1])                     # epoch dropped
        e = v.split(":", 1)[0]
        out.append(str(int(e) + 1) + ":" + v.split(":", 1)[1])
    else:
        out += ["0:" + v, "1:" + v]
    if "~" in v:
        out += [v.replace("~", "", 1), v.replace("~", "+", 1), v.replace("~", "~~", 1)]
    runs = list(re.finditer(r"\d+", v))
    if runs:
        m = rng.choice(runs)
        if not (":" in v and m.end() <= v.index(":")):     # leave the epoch be
            out.append(v[:m.start()] + str(int(m.group()) + 1) + v[m.end():])
            out.append(v[:m.start()] + "0" + m.group() + v[m.end():])
            out.append(v[:m.start()] + m.group() + "99999999999999999999" + v[m.end():])
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tool = sys.argv[1]
    want = int(os.environ.get("FIRN_DPKG_PAIRS", "10000"))
    jobs = max(1, int(os.environ.get("FIRN_DPKG_JOBS", "2")))
    seed = int(os.environ.get("FIRN_DPKG_SEED", "20250601"))
    rng = random.Random(seed)
    if not DPKG:
        log("SKIP: no dpkg")
        return SKIP

    t0 = time.time()
    entries, where = load_index()
    if not entries:
        log("SKIP: no apt index")
        return SKIP
    versions = sorted({e[2] for e in entries} | {e[4] for e in entries if e[4]})
    log("index: %d packages, %d distinct versions (%s); seed %d" % (len(entries), len(versions), where, seed))

    pairs = []          # (category, a, op or None, b)
    seen = set()

    def add(cat, a, b, op=None):
        if (a, op, b) not in seen:
            seen.add((a, op, b))
            pairs.append((cat, a, op, b))

    # The same package across suites.
    by_pkg = {}
    for suite, pkg, ver, _, _ in entries:
        by_pkg.setdefault(pkg, {}).setdefault(suite, set()).add(ver)
    cross = []
    for pkg in sorted(by_pkg):
        vs = sorted(set().union(*by_pkg[pkg].values()))
        cross += [(vs[i], vs[j]) for i in range(len(vs)) for j in range(i + 1, len(vs))]
    rng.shuffle(cross)
    for a, b in cross[: want * 3 // 10]:
        add("suites", *((a, b) if rng.random() < 0.5 else (b, a)))

    # Binary against source version, where they differ.
    src_pairs = sorted({(e[2], e[4]) for e in entries if e[4] and e[4] != e[2]})
    for a, b in rng.sample(src_pairs, min(len(src_pairs), want // 5)):
        add("source", a, b)

    # Epochs and tildes against versions of the same source and random ones.
    by_src = {}
    for e in entries:
        by_src.setdefault(e[3], set()).add(e[2])
    special = [e for e in entries if ":" in e[2] or "~" in e[2]]
    for e in rng.sample(special, min(len(special), want // 10)):
        related = sorted(by_src[e[3]] - {e[2]})
        add("epoch", e[2], rng.choice(related) if related else rng.choice(versions))
        add("epoch", rng.choice(versions), e[2])

    # Near variants.
    for v in rng.sample(versions, min(len(versions), want // 20)):
        for w in rng.sample(variants(v, rng), 3):
            add("variant", *((v, w) if rng.random() < 0.5 else (w, v)))

    # Relation operators.
    for _ in range(want // 10):
        a = rng.choice(versions)
        b = rng.choice(variants(a, rng) + [a]) if rng.random() < 0.5 else rng.choice(versions)
        add("relation", a, b, rng.choice(["<<", "<=", "=", ">=", ">>", "<", ">"]))

    # A chain: a sample sorted by firn, adjacent steps checked by dpkg.
    chain = run_tool(tool, rng.sample(versions, min(len(versions), want // 8)), ["--sort"])
    for a, b in zip(chain, chain[1:]):
        add("chain", a, b)

    # Random pairs to fill up.
    while len(pairs) < want:
        add("random", rng.choice(versions), rng.choice(versions))

    # firn, all at once.
    answers = run_tool(tool, ["%s %s" % (a, b) if op is None else "%s %s %s" % (a, op, b)
                              for _, a, op, b in pairs])

    # firn against its own sort: random pairs of the chain must be in order.
    idx = [sorted(rng.sample(range(len(chain)), 2)) for _ in range(20000)] if len(chain) > 1 else []
    own = run_tool(tool, ["%s %s" % (chain[i], chain[j]) for i, j in idx])
    disorder = [(chain[i], chain[j], r) for (i, j), r in zip(idx, own) if r not in ("-1", "0")]
    t1 = time.time()

    def check(k):
        cat, a, op, b = pairs[k]
        ans = answers[k]
        if op is None:
            claim = {"-1": "lt", "0": "eq", "1": "gt"}.get(ans)
            ok = claim and dpkg(a, claim, b)
        elif ans not in ("0", "1"):
            ok = False
        else:
            holds = dpkg(a, op, b)
            ok = None if holds is None else holds == (ans == "1")
        return bool(ok)

    with ThreadPoolExecutor(jobs) as ex:
        results = list(ex.map(check, range(len(pairs))))
    t2 = time.time()

    failed = [k for k, ok in enumerate(results) if not ok]
    cats = {}
    for cat, _, _, _ in pairs:
        cats[cat] = cats.get(cat, 0) + 1
    log("pairs: " + ", ".join("%s %d" % kv for kv in sorted(cats.items())))
    log("chain: %d versions sorted by firn, %d adjacent steps confirmed by dpkg; "
        "firn against its own sort: %d random pairs, %d out of order"
        % (len(chain), len(chain) - 1, len(idx), len(disorder)))
    for k in failed[:MAX_SHOWN]:
        cat, a, op, b = pairs[k]
        if op is None:
            log("MISMATCH [%s] %s vs %s: firn %s, dpkg %d" % (cat, a, b, answers[k], dpkg_cmp(a, b)))
        else:
            log("MISMATCH [%s] %s %s %s: firn %s, dpkg %s" % (cat, a, op, b, answers[k], dpkg(a, op, b)))
    for a, b, r in disorder[:MAX_SHOWN]:
        log("DISORDER firn sorted %s before %s but compares them %s" % (a, b, r))
    log("index and firn %.1f s, dpkg %.1f s (%d processes)" % (t1 - t0, t2 - t1, jobs))
    if disorder:
        log("firn's own order broken on %d of %d pairs" % (len(disorder), len(idx)))
    log("%d passed, %d failed (pairs checked against dpkg)" % (len(pairs) - len(failed), len(failed)))
    return 1 if failed or disorder else 0


if __name__ == "__main__":
    sys.exit(main())
