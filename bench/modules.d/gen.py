#!/usr/bin/env python3
"""Generate the module-system benchmark configuration used by bench/modules.

    gen.py [--modules N] [--options-per-module K] [--defs-per-module D]
           [--seed S] OUTDIR

Writes into OUTDIR:

  mNNNN.nix      one NixOS-style module per file, `{ config, lib, ... }:`
                 declaring K options under `mI` (mI.o0 … mI.o{K-1}) and
                 making D definitions, of its own options and of other
                 modules' options
  modules.nix    the list of those files, in order
  expected.json  the configuration evalModules must produce under NixOS's
                 semantics (`_module` left out, also inside submodules)
  edit.json      the definition bench/modules changes for the re-evaluation
                 row: {"file", "path", "value"}; its line ends in
                 `# bench-edit`, and it is the definition that wins, so the
                 change shows in the result
  stats.json     counts of the option types and definition kinds

The output depends on the arguments only (a seeded splitmix64 generator,
never Python's `random`), so every run and machine benchmarks the same
configuration.

Why every evaluation succeeds under NixOS's rules (lib/modules.nix,
lib/types.nix), by construction:

- Every option has a default, so an option whose definitions are all
  switched off by mkIf still has a value.
- bool, int, str, enum and nullOr str merge with mergeEqualOption (all
  definitions at the winning priority must be equal; nullOr also refuses
  a mix of null and non-null). The definitions of one such option all get
  different priorities, and their values are a function of (option,
  priority) only, so whatever subset mkIf leaves, the winning priority has
  one value.
- lines, listOf str: any number of definitions merge (concatenation, after
  the stable sort by mkBefore/mkAfter/mkOrder).
- attrsOf int and attrsOf (submodule …): the definitions merge per
  attribute; a leaf's value is a function of (option, attribute, outer
  priority, inner priority), so two definitions that meet at the same
  priorities agree.
- mkIf conditions read `config.mI.oJ` of "source" bool options only. A
  source's own definitions are never conditional, and no mkIf guards a
  definition of a source, so no condition depends on itself.
- Properties nest the way NixOS discharges them: mkIf / mkMerge outermost,
  then mkOverride (mkDefault, mkForce), then mkOrder (mkBefore, mkAfter):
  `mkIf c (mkMerge [ (mkForce (mkBefore [ … ])) … ])`.
- Definitions of one option within one module sit in different elements
  of the module's `config = mkMerge [ … ]`, never twice in one set.
"""

import argparse
import hashlib
import json
import os
import sys

MASK = (1 << 64) - 1

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima "
         "mike november oscar papa quebec romeo sierra tango uniform victor whiskey "
         "xray yankee zulu amber birch cedar dune ember fjord glade heath iris").split()


class Rng:
    """splitmix64: tiny, fast, and the same everywhere."""

    def __init__(self, seed):
        self.s = seed & MASK

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def chance(self, p):
        return self.next() < p * (1 << 64)

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def weighted(self, pairs):
        total = sum(w for _, w in pairs)
        x = self.next() / (1 << 64) * total
        for item, w in pairs:
            x -= w
            if x < 0:
                return item
        return pairs[-1][0]


def h(*parts):
    """A value that depends on parts only (not on the generation order)."""
    d = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(d, "little")


def hstr(*parts):
    x = h(*parts)
    return "%s-%d" % (WORDS[x % len(WORDS)], (x >> 16) % 10000)


def hint(*parts):
    return h(*parts) % 100000


# ---- option types ----------------------------------------------------------

TYPE_WEIGHTS = [
    ("bool", 20), ("int", 14), ("str", 14), ("lines", 9), ("list", 12),
    ("attrsInt", 9), ("enum", 8), ("nullStr", 7), ("sub", 7),
]
SCALARS = {"bool", "int", "str", "enum", "nullStr"}
SUB_NAMES = ["n0", "n1", "n2", "n3", "n4"]
SUB_FIELDS = ["enable", "port", "label", "tags"]  # bool, int, str (default: name), listOf str
ATTR_KEYS = ["k0", "k1", "k2", "k3", "k4", "k5"]

# Priorities: (priority, Nix prefix). Plain definitions are 100, mkDefault
# 1000, mkForce 50, the option default (mkOptionDefault) 1500.
PLAIN, DEFAULT, FORCE = 100, 1000, 50
OVERRIDES = [10, 20, 40, 60, 80, 90, 150, 200, 500, 900, 1100, 1200, 1400]
SCALAR_PRIO_WEIGHTS = [(PLAIN, 6.0), (DEFAULT, 3.0), (FORCE, 1.5)] + [(p, 2.0 / len(OVERRIDES)) for p in OVERRIDES]
MERGE_PRIO_WEIGHTS = [(PLAIN, 8.0), (DEFAULT, 2.0), (FORCE, 0.5)] + [(p, 0.5 / len(OVERRIDES)) for p in OVERRIDES]
ORDER_WEIGHTS = [(1000, 6.0), (500, 2.0), (1500, 2.0), (750, 0.5), (1250, 0.5)]  # mkOrder priority


def prio_wrap(p, text):
    if p == PLAIN:
        return text
    if p == DEFAULT:
        return "mkDefault " + text
    if p == FORCE:
        return "mkForce " + text
    return "mkOverride %d %s" % (p, text)


def order_wrap(o, text):
    if o == 1000:
        return text
    if o == 500:
        return "mkBefore " + text
    if o == 1500:
        return "mkAfter " + text
    return "mkOrder %d %s" % (o, text)


def paren(text):
    """text as one term: parenthesized unless it is a literal already."""
    if " " not in text or is_one_term(text):
        return text
    return "(" + text + ")"


def is_one_term(text):
    """True when text is one bracketed or quoted term ("…", […], {…}, (…))."""
    if text[0] == '"':
        return text.count('"') == 2 and text.endswith('"')
    if text[0] not in "[{(":
        return False
    depth = 0
    in_str = False
    for i, c in enumerate(text):
        if c == '"':
            in_str = not in_str
        elif not in_str and c in "[{(":
            depth += 1
        elif not in_str and c in "]})":
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


def nix_str(s):
    return '"' + s + '"'  # generated strings are [a-z0-9-] only


def nix_list(items):
    return "[ " + " ".join(nix_str(s) for s in items) + " ]" if items else "[ ]"


class Option:
    def __init__(self, mod, idx, typ, rng):
        self.mod, self.idx, self.typ = mod, idx, typ
        self.path = ["m%d" % mod, "o%d" % idx]
        self.name = "m%d.o%d" % (mod, idx)
        self.source = False
        self.used_prios = set()
        self.defs = []  # its Definitions, in evaluation order (see group_defs)
        if typ == "enum":
            start = rng.below(len(WORDS))
            self.enum = [WORDS[(start + i) % len(WORDS)] for i in range(3 + rng.below(3))]
        if typ == "bool":
            self.default = rng.chance(0.5)
        elif typ == "int":
            self.default = hint(self.name, "default")
        elif typ == "str":
            self.default = hstr(self.name, "default")
        elif typ == "lines":
            self.default = ""
        elif typ == "list":
            self.default = []
        elif typ in ("attrsInt", "sub"):
            self.default = {}
        elif typ == "enum":
            self.default = self.enum[0]
        elif typ == "nullStr":
            self.default = None

    def nix_type(self):
        return {
            "bool": "types.bool", "int": "types.int", "str": "types.str",
            "lines": "types.lines", "list": "types.listOf types.str",
            "attrsInt": "types.attrsOf types.int",
            "enum": "types.enum " + nix_list(getattr(self, "enum", [])),
            "nullStr": "types.nullOr types.str",
            "sub": "types.attrsOf (types.submodule sub)",
        }[self.typ]

    def nix_default(self):
        d = self.default
        if self.typ == "bool":
            return "true" if d else "false"
        if self.typ == "int":
            return str(d)
        if self.typ in ("str", "lines", "enum"):
            return nix_str(d)
        if self.typ == "list":
            return "[ ]"
        if self.typ in ("attrsInt", "sub"):
            return "{ }"
        return "null"


# ---- definitions -----------------------------------------------------------

class Part:
    """One definition value after mkIf/mkMerge: priority, order, value."""

    def __init__(self, prio, order, value, text):
        self.prio, self.order, self.value, self.text = prio, order, value, text


class Definition:
    def __init__(self, opt, owner):
        self.opt, self.owner = opt, owner
        self.parts = []       # more than one: a value-level mkMerge
        self.cond = None      # (source Option, negated)
        self.group_cond = False  # the mkIf sits on the config group, not the value
        self.edit = False

    def text(self):
        if len(self.parts) == 1:
            body = self.parts[0].text
        else:
            body = "mkMerge [ " + " ".join(paren(p.text) for p in self.parts) + " ]"
        if self.cond and not self.group_cond:
            body = "mkIf %s %s" % (cond_text(self.cond), paren(body))
        return body


def cond_text(cond):
    src, neg = cond
    return "(!config.%s)" % src.name if neg else "config.%s" % src.name


def scalar_value(opt, prio):
    t = opt.typ
    if t == "bool":
        v = h(opt.name, prio) % 2 == 0
        return v, "true" if v else "false"
    if t == "int":
        v = hint(opt.name, prio)
        return v, str(v)
    if t == "str":
        v = hstr(opt.name, prio)
        return v, nix_str(v)
    if t == "enum":
        v = opt.enum[h(opt.name, prio) % len(opt.enum)]
        return v, nix_str(v)
    if t == "nullStr":
        if h(opt.name, prio, "null") % 3 == 0:
            return None, "null"
        v = hstr(opt.name, prio)
        return v, nix_str(v)
    raise AssertionError(t)


def make_part(rng, opt, serial):
    """A mergeable-type part with its own priority and (for lists, lines) order."""
    t = opt.typ
    prio = rng.weighted(MERGE_PRIO_WEIGHTS)
    order = 1000
    if t == "lines":
        order = rng.weighted(ORDER_WEIGHTS)
        n = 1 + rng.below(2)
        lines = [hstr(opt.name, serial, i) for i in range(n)]
        value = "\n".join(lines)
        text = nix_str(value.replace("\n", "\\n"))
        text = order_wrap(order, text)
    elif t == "list":
        order = rng.weighted(ORDER_WEIGHTS)
        value = [hstr(opt.name, serial, i) for i in range(1 + rng.below(3))]
        text = order_wrap(order, nix_list(value))
    elif t == "attrsInt":
        keys = sorted(set(rng.choice(ATTR_KEYS) for _ in range(1 + rng.below(3))))
        value = {}
        items = []
        for k in keys:
            inner = rng.weighted([(PLAIN, 4.0), (DEFAULT, 1.0), (FORCE, 0.3)])
            v = hint(opt.name, k, prio, inner)
            value[k] = (inner, v)
            items.append("%s = %s;" % (k, prio_wrap(inner, str(v))))
        text = "{ " + " ".join(items) + " }"
    elif t == "sub":
        names = sorted(set(rng.choice(SUB_NAMES) for _ in range(1 + rng.below(2))))
        value = {}
        entries = []
        for n in names:
            fields = sorted(set(rng.choice(SUB_FIELDS) for _ in range(1 + rng.below(3))), key=SUB_FIELDS.index)
            fv = {}
            ftexts = []
            for f in fields:
                inner = rng.weighted([(PLAIN, 4.0), (DEFAULT, 1.0), (FORCE, 0.3)])
                if f == "enable":
                    v = h(opt.name, n, f, prio, inner) % 2 == 0
                    vt = "true" if v else "false"
                elif f == "port":
                    v = 1 + hint(opt.name, n, f, prio, inner) % 65535
                    vt = str(v)
                elif f == "label":
                    v = hstr(opt.name, n, f, prio, inner)
                    vt = nix_str(v)
                else:
                    v = [hstr(opt.name, serial, n, i) for i in range(1 + rng.below(2))]
                    vt = nix_list(v)
                fv[f] = (inner, v)
                ftexts.append("%s = %s;" % (f, prio_wrap(inner, vt)))
            value[n] = fv
            entries.append("%s = { %s };" % (n, " ".join(ftexts)))
        text = "{ " + " ".join(entries) + " }"
    else:
        raise AssertionError(t)
    return Part(prio, order, value, prio_wrap(prio, text if prio == PLAIN else paren(text)))


def make_definition(rng, opt, owner, sources, serial):
    """A definition of opt made in module owner; None when opt cannot take
    another one (a scalar with every priority used)."""
    d = Definition(opt, owner)
    if opt.typ in SCALARS:
        free = [(p, w) for p, w in SCALAR_PRIO_WEIGHTS if p not in opt.used_prios]
        if not free:
            return None
        prio = rng.weighted(free)
        opt.used_prios.add(prio)
        v, vt = scalar_value(opt, prio)
        d.parts = [Part(prio, 1000, v, prio_wrap(prio, vt))]
    else:
        n = 2 if rng.chance(0.12) else 1
        d.parts = [make_part(rng, opt, (serial, i)) for i in range(n)]
    if not opt.source and sources and rng.chance(0.15):
        d.cond = (rng.choice(sources), rng.chance(0.3))
        d.group_cond = rng.chance(0.4)
    return d


# ---- the model: what evalModules must return --------------------------------

def merge_equal(vals):
    assert all(v == vals[0] for v in vals), "generator bug: conflicting equal-merge values"
    return vals[0]


def merged(opt, cond_value):
    """The option's value under NixOS semantics; cond_value(cond) -> bool."""
    parts = []
    for d in opt.defs:
        if d.cond and not cond_value(d.cond):
            continue
        parts.extend(d.parts)
    parts.append(Part(1500, 1000, opt.default, None))  # mkOptionDefault
    top = min(p.prio for p in parts)
    parts = [p for p in parts if p.prio == top]
    if top == 1500:
        return opt.default
    t = opt.typ
    if t in SCALARS:
        return merge_equal([p.value for p in parts])
    parts = sorted(parts, key=lambda p: p.order)  # stable, as builtins.sort
    if t == "lines":
        return "\n".join(p.value for p in parts)
    if t == "list":
        return [x for p in parts for x in p.value]
    if t == "attrsInt":
        out = {}
        for k in sorted({k for p in parts for k in p.value}):
            vals = [p.value[k] for p in parts if k in p.value]
            inner = min(i for i, _ in vals)
            out[k] = merge_equal([v for i, v in vals if i == inner])
        return out
    if t == "sub":
        out = {}
        for n in sorted({n for p in parts for n in p.value}):
            # The submodule is an evalModules of these definitions, whose
            # module list is merged in reverse again.
            fdefs = [p.value[n] for p in reversed(parts) if n in p.value]
            res = {}
            defaults = {"enable": False, "port": 80, "label": n, "tags": []}
            for f in SUB_FIELDS:
                vals = [fd[f] for fd in fdefs if f in fd]
                if not vals:
                    res[f] = defaults[f]
                    continue
                inner = min(i for i, _ in vals)
                top_vals = [v for i, v in vals if i == inner]
                res[f] = [x for v in top_vals for x in v] if f == "tags" else merge_equal(top_vals)
            out[n] = res
        return out
    raise AssertionError(t)


# ---- rendering ---------------------------------------------------------------

def group_defs(defs):
    """The module's `config = mkMerge [ … ]` elements: unconditional
    definitions packed into sets with distinct option paths, group-level
    mkIf definitions into one set per condition. Returns [(cond, [defs])]."""
    groups = []
    for d in defs:
        key = (d.cond[0].name, d.cond[1]) if d.group_cond else None
        for gkey, gdefs in groups:
            if gkey == key and all(x.opt is not d.opt for x in gdefs):
                gdefs.append(d)
                break
        else:
            groups.append((key, [d]))
    return [(gdefs[0].cond if key else None, gdefs) for key, gdefs in groups]


def render_module(mod, opts, groups, header):
    lines = [header, "{ config, lib, ... }:", "let",
             "  inherit (lib) mkOption mkDefault mkForce mkOverride mkIf mkMerge mkBefore mkAfter mkOrder types;"]
    if any(o.typ == "sub" for o in opts):
        lines += [
            "  sub = { name, ... }: {",
            "    options = {",
            '      enable = mkOption { type = types.bool; default = false; description = "Whether to enable this instance."; };',
            '      port = mkOption { type = types.int; default = 80; description = "Port of this instance."; };',
            '      label = mkOption { type = types.str; default = name; description = "Label, the attribute name by default."; };',
            '      tags = mkOption { type = types.listOf types.str; default = [ ]; description = "Tags of this instance."; };',
            "    };",
            "  };",
        ]
    lines += ["in", "{", "  options.m%d = {" % mod]
    for o in opts:
        lines.append("    o%d = mkOption {" % o.idx)
        lines.append("      type = %s;" % o.nix_type())
        lines.append("      default = %s;" % o.nix_default())
        lines.append('      description = "Benchmark option %d of module %d (%s).";' % (o.idx, mod, o.typ))
        lines.append("    };")
    lines.append("  };")
    lines.append("  config = mkMerge [")
    for cond, gdefs in groups:
        lines.append("    (mkIf %s {" % cond_text(cond) if cond else "    {")
        for d in gdefs:
            lines.append("      %s = %s;%s" % (d.opt.name, d.text(), " # bench-edit" if d.edit else ""))
        lines.append("    })" if cond else "    }")
    lines.append("  ];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", type=int, default=1000)
    ap.add_argument("--options-per-module", type=int, default=10)
    ap.add_argument("--defs-per-module", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("outdir")
    a = ap.parse_args()
    if a.modules < 2 or a.options_per_module < 1 or a.defs_per_module < 1:
        ap.error("need at least 2 modules, 1 option and 1 definition per module")

    rng = Rng(a.seed * 0x2545F4914F6CDD1D + a.modules)
    opts = []
    for m in range(a.modules):
        opts.append([Option(m, j, rng.weighted(TYPE_WEIGHTS), rng) for j in range(a.options_per_module)])
    flat = [o for mo in opts for o in mo]
    for o in flat:
        if o.typ == "bool" and rng.chance(0.5):
            o.source = True
    sources = [o for o in flat if o.source]

    # Definitions: half of them target the module's own options, half any
    # option of the configuration.
    mod_defs = []
    serial = 0
    for m in range(a.modules):
        defs = []
        while len(defs) < a.defs_per_module:
            opt = rng.choice(opts[m]) if rng.chance(0.5) else rng.choice(flat)
            d = make_definition(rng, opt, m, sources, serial)
            serial += 1
            if d is not None:
                defs.append(d)
        mod_defs.append(defs)

    # The order of each option's definitions: NixOS merges the collected
    # modules in reverse (lib/modules.nix: `mergeModules prefix (reverseList
    # collected)`), so the last module's definitions come first; within one
    # module, the order of its mkMerge elements.
    mod_groups = [group_defs(defs) for defs in mod_defs]
    for groups in reversed(mod_groups):
        for _, gdefs in groups:
            for d in gdefs:
                d.opt.defs.append(d)

    # The model: sources first (their definitions are never conditional).
    values = {}
    for o in sources:
        values[o.name] = merged(o, None)
    cond_value = lambda c: values[c[0].name] != c[1]
    for o in flat:
        if not o.source:
            values[o.name] = merged(o, cond_value)

    # The edit for the re-evaluation row: a winning, unconditional, single
    # int definition, in the module nearest the middle that has one.
    edit = None
    for m in sorted(range(a.modules), key=lambda m: (abs(m - a.modules // 2), m)):
        for d in mod_defs[m]:
            o = d.opt
            if o.typ != "int" or d.cond or len(d.parts) != 1:
                continue
            active = [x.parts[0].prio for x in o.defs if not x.cond or cond_value(x.cond)]
            if d.parts[0].prio == min(active):
                d.edit = True
                edit = {"file": "m%04d.nix" % m, "path": o.path, "value": d.parts[0].value}
                break
        if edit:
            break
    if not edit:
        sys.exit("gen.py: found no int definition to edit; use more modules")

    os.makedirs(a.outdir, exist_ok=True)
    names = []
    for m in range(a.modules):
        name = "m%04d.nix" % m
        names.append(name)
        header = "# bench/modules: generated module %d of %d (gen.py --seed %d)." % (m, a.modules, a.seed)
        with open(os.path.join(a.outdir, name), "w") as f:
            f.write(render_module(m, opts[m], mod_groups[m], header))
    with open(os.path.join(a.outdir, "modules.nix"), "w") as f:
        f.write("# bench/modules: the %d generated modules.\n[\n" % a.modules)
        for n in names:
            f.write("  ./%s\n" % n)
        f.write("]\n")

    expected = {}
    for o in flat:
        expected.setdefault(o.path[0], {})[o.path[1]] = values[o.name]
    with open(os.path.join(a.outdir, "expected.json"), "w") as f:
        json.dump(expected, f, sort_keys=True, separators=(",", ":"))
    with open(os.path.join(a.outdir, "edit.json"), "w") as f:
        json.dump(edit, f)

    all_defs = [d for ds in mod_defs for d in ds]
    parts = [p for d in all_defs for p in d.parts]
    stats = {
        "modules": a.modules,
        "options": len(flat),
        "definitions": len(all_defs),
        "types": {t: sum(1 for o in flat if o.typ == t) for t, _ in TYPE_WEIGHTS},
        "cross_module": sum(1 for d in all_defs if d.opt.mod != d.owner),
        "mkIf_value": sum(1 for d in all_defs if d.cond and not d.group_cond),
        "mkIf_group": sum(1 for d in all_defs if d.cond and d.group_cond),
        "mkMerge_value": sum(1 for d in all_defs if len(d.parts) > 1),
        "plain": sum(1 for p in parts if p.prio == PLAIN),
        "mkDefault": sum(1 for p in parts if p.prio == DEFAULT),
        "mkForce": sum(1 for p in parts if p.prio == FORCE),
        "mkOverride": sum(1 for p in parts if p.prio not in (PLAIN, DEFAULT, FORCE)),
        "mkBefore": sum(1 for p in parts if p.order == 500),
        "mkAfter": sum(1 for p in parts if p.order == 1500),
        "mkOrder": sum(1 for p in parts if p.order not in (500, 1000, 1500)),
        "condition_sources": len(sources),
    }
    with open(os.path.join(a.outdir, "stats.json"), "w") as f:
        json.dump(stats, f, indent=1)


if __name__ == "__main__":
    main()
