#!/usr/bin/env python3
"""Compare an evaluated configuration with the generator's expectation.

    check.py OUTPUT.json EXPECTED.json [--set EDIT.json VALUE]

Exits 0 when both JSON documents are equal, 1 (printing the first few
differing options) when they are not or OUTPUT is not JSON. With --set,
the option EDIT.json names (see gen.py) is expected to hold VALUE instead
(the re-evaluation row changes that definition)."""

import json
import sys


def short(v):
    s = json.dumps(v, sort_keys=True)
    return s if len(s) <= 160 else s[:157] + "..."


def main():
    args = sys.argv[1:]
    if len(args) not in (2, 5) or (len(args) == 5 and args[2] != "--set"):
        sys.exit(__doc__)
    try:
        with open(args[0]) as f:
            got = json.load(f)
    except (OSError, ValueError) as e:
        print("output is not JSON: %s" % e)
        return 1
    with open(args[1]) as f:
        want = json.load(f)
    if len(args) == 5:
        with open(args[3]) as f:
            edit = json.load(f)
        node = want
        for k in edit["path"][:-1]:
            node = node[k]
        node[edit["path"][-1]] = int(args[4])
    if got == want:
        return 0
    if not isinstance(got, dict):
        print("output is %s, not a set of modules" % type(got).__name__)
        return 1
    shown = 0
    for m in sorted(set(want) | set(got)):
        w, g = want.get(m), got.get(m)
        if w == g:
            continue
        if not isinstance(w, dict) or not isinstance(g, dict):
            print("%s: expected %s, got %s" % (m, short(w), short(g)))
            shown += 1
        else:
            for o in sorted(set(w) | set(g)):
                if w.get(o, "<missing>") != g.get(o, "<missing>"):
                    if shown < 5:
                        print("%s.%s: expected %s, got %s" % (m, o, short(w.get(o, "<missing>")),
                                                            short(g.get(o, "<missing>"))))
                    shown += 1
        if shown >= 5:
            break
    print("(%s differing)" % ("at least %d" % shown if shown >= 5 else shown))
    return 1


if __name__ == "__main__":
    sys.exit(main())
