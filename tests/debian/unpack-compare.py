#!/usr/bin/env python3
"""firn's .deb unpacking (src/debian/unpack.c) against `dpkg-deb -x`.

Usage: unpack-compare.py [--errors-only] UNPACK_TOOL CACHE_DIR

Real packages: fetches (`apt-get download`, into $FIRN_DEB_CACHE or
CACHE_DIR; .debs already there are reused) the packages in PACKAGES and the
kernel image linux-image-amd64 depends on, and rebuilds a few of them with
every other compression of data.tar (none, gz, zst, bz2, lzma) and
control.tar (none, gz, zst). Each is unpacked by `dpkg-deb -x` into A and
by UNPACK_TOOL into B, and compared:
  - the same names (A's devices and FIFOs excepted: B records them), types,
    symlink targets, file contents (sha256) and hard-link groups;
  - B's modes are A's canonicalised (directories 0755; files 0755 with any
    execute bit, else 0644);
  - B/nix-support/deb/PACKAGE/permissions holds exactly the members of
    `dpkg-deb --fsys-tarfile` whose mode is not canonical or whose owner or
    group is not root, and the devices and FIFOs, sorted by path (the
    expected lines are computed here from the tar headers);
  - B/nix-support/deb/PACKAGE/ holds the files of `dpkg-deb -e`, byte for
    byte, mode 0644, and control is the text `dpkg-deb -f` prints.
Then several .debs into one directory (against dpkg-deb -x of each into
one), and the same package twice (must fail).

Crafted packages (also with --errors-only, which needs no network or dpkg):
an OK one with devices, a FIFO, setuid/setgid/sticky modes, other owners
and odd names (checked against a hand-written record), and broken ones:
truncated, corrupt data (middle and end of the xz stream), not an ar
archive, empty file, members missing or out of order, an unsupported
version or compression, unsafe names (../, /abs), a symlink followed by a
member beneath it (a -> /tmp, a/x), a hard link to outside or to a
symlink, a name shipped twice. Each must exit 1 with a message naming the
.deb, without a crash or a sanitizer report, and write nothing outside
OUTDIR.

Prints one line per package ("ok systemd 257 files"), the total time of
each unpacker, and "N passed, N failed"; exits 1 on any failure. A failed
download fails the test, unless FIRN_OFFLINE=1: then it is skipped (77).
"""
import bz2
import gzip
import hashlib
import io
import lzma
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time

SKIP = 77
MAX_SHOWN = 8

PACKAGES = [
    "systemd", "openssh-server", "openssh-client", "nginx-common", "nginx", "python3.11-minimal",
    "libc6", "libc-bin", "passwd", "sudo", "util-linux", "coreutils", "bash", "dash", "perl-base",
    "tzdata", "ca-certificates", "udev", "dbus", "iproute2", "kmod", "procps", "login", "mount",
    "libpam-modules", "e2fsprogs", "libssl3", "at", "cron", "fuse3", "man-db", "bsdutils",
    "iputils-ping", "mtr-tiny",
]
# Rebuilt with the other compressions: setuid, setgid, 0440, hard links,
# owners other than root, a sticky directory.
RECOMPRESSED = ["sudo", "passwd", "perl-base", "at"]
DATA_COMPRESSIONS = ["", ".gz", ".zst", ".bz2", ".lzma"]
CONTROL_COMPRESSIONS = ["", ".gz", ".zst"]
# Unpacked together into one directory.
TOGETHER = ["bash", "dash", "coreutils", "sudo", "passwd", "login", "perl-base"]


def log(msg):
    print(msg, flush=True)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, msg):
        self.passed += 1
        log("ok " + msg)

    def fail(self, name, problems):
        self.failed += 1
        log("FAIL %s: %d problem(s)" % (name, len(problems)))
        for p in problems[:MAX_SHOWN]:
            log("    " + p)
        if len(problems) > MAX_SHOWN:
            log("    ... and %d more" % (len(problems) - MAX_SHOWN))


# ---- ar, tar and compression ----------------------------------------------

def ar_write(path, members):
    """An ar archive of (name, bytes) members, as dpkg-deb writes it."""
    with open(path, "wb") as f:
        f.write(b"!<arch>\n")
        for name, data in members:
            f.write(b"%-16s%-12d%-6d%-6d%-8s%-10d`\n" % (name.encode(), 0, 0, 0, b"100644", len(data)))
            f.write(data)
            if len(data) % 2:
                f.write(b"\n")


def ar_read(path):
    """The members of an ar archive: [(name, bytes)]."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"!<arch>\n":
        raise ValueError("not an ar archive: " + path)
    out, pos = [], 8
    while pos + 60 <= len(data):
        hdr = data[pos:pos + 60]
        name = hdr[:16].decode().rstrip().rstrip("/")
        size = int(hdr[48:58])
        out.append((name, data[pos + 60:pos + 60 + size], pos + 60))
        pos += 60 + size + (size % 2)
    return out


def decompress(name, data):
    if name.endswith(".xz") or name.endswith(".lzma"):
        return lzma.decompress(data)
    if name.endswith(".gz"):
        return gzip.decompress(data)
    if name.endswith(".bz2"):
        return bz2.decompress(data)
    if name.endswith(".zst"):
        return subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True).stdout
    return data


def compress(ext, data):
    if ext == ".xz":
        return lzma.compress(data, format=lzma.FORMAT_XZ)
    if ext == ".lzma":
        return lzma.compress(data, format=lzma.FORMAT_ALONE)
    if ext == ".gz":
        return gzip.compress(data, mtime=0)
    if ext == ".bz2":
        return bz2.compress(data)
    if ext == ".zst":
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, capture_output=True, check=True).stdout
    return data


def tar_bytes(entries):
    """A GNU tar of (TarInfo, bytes or None) entries."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT,
                      encoding="utf-8", errors="surrogateescape") as tf:
        for ti, data in entries:
            if data is not None:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
            else:
                tf.addfile(ti)
    return buf.getvalue()


def ti(name, kind=tarfile.REGTYPE, mode=0o644, uid=0, gid=0, uname="root", gname="root", **kw):
    t = tarfile.TarInfo(name)
    t.type = kind
    t.mode = mode
    t.uid, t.gid, t.uname, t.gname = uid, gid, uname, gname
    t.mtime = 1700000000
    for k, v in kw.items():
        setattr(t, k, v)
    return t


CONTROL_TEXT = b"Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: firn <firn@example.org>\n" \
               b"Description: a crafted package\n"


def control_tar(package="crafted", extra=()):
    return tar_bytes([(ti("./", tarfile.DIRTYPE, 0o755), None),
                      (ti("./control"), CONTROL_TEXT % package.encode()),
                      (ti("./postinst", mode=0o755), b"#!/bin/sh\nexit 0\n")] + list(extra))


def make_deb(path, data_entries, package="crafted", control=None, data_name="data.tar.xz",
             version=b"2.0\n"):
    ext = data_name[len("data.tar"):]
    ar_write(path, [("debian-binary", version),
                    ("control.tar.xz", compress(".xz", control if control is not None else control_tar(package))),
                    (data_name, compress(ext, tar_bytes(data_entries)))])


# ---- trees ----------------------------------------------------------------

def canonical(mode):
    if stat.S_ISDIR(mode):
        return 0o755
    if stat.S_ISREG(mode):
        return 0o755 if mode & 0o111 else 0o644
    return stat.S_IMODE(mode)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def walk(root, skip_top=()):
    """{relative bytes path: (kind, mode, detail, inode)} of the tree."""
    out = {}
    root = os.fsencode(root)
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir == b".":
            dirnames[:] = [d for d in dirnames if d not in skip_top]
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            m = st.st_mode
            if stat.S_ISDIR(m):
                out[rel] = ("dir", stat.S_IMODE(m), None, None)
            elif stat.S_ISLNK(m):
                out[rel] = ("symlink", None, os.readlink(p), None)
            elif stat.S_ISREG(m):
                out[rel] = ("file", stat.S_IMODE(m), sha256(p), (st.st_dev, st.st_ino))
            else:
                out[rel] = ("special", stat.S_IMODE(m), None, None)
        # os.walk lists symlinks to directories among dirnames, without
        # entering them (followlinks=False).
    return out


def link_groups(tree):
    groups = {}
    for rel, (kind, _, _, ino) in tree.items():
        if kind == "file":
            groups.setdefault(ino, []).append(rel)
    return {frozenset(g) for g in groups.values() if len(g) > 1}


def show(rel):
    return "/" + rel.decode("utf-8", "backslashreplace")


def compare_trees(a, b):
    """Problems of tree b (firn) against a (dpkg-deb -x)."""
    problems = []
    a = {k: v for k, v in a.items() if v[0] != "special"}
    for rel in sorted(set(a) - set(b)):
        problems.append("missing in firn's tree: " + show(rel))
    for rel in sorted(set(b) - set(a)):
        problems.append("only in firn's tree: " + show(rel))
    for rel in sorted(set(a) & set(b)):
        ka, ma, da, _ = a[rel]
        kb, mb, db, _ = b[rel]
        if ka != kb:
            problems.append("%s: %s in dpkg's tree, %s in firn's" % (show(rel), ka, kb))
            continue
        if ka == "symlink" and da != db:
            problems.append("%s: symlink to %r, firn has %r" % (show(rel), da, db))
        if ka == "file" and da != db:
            problems.append("%s: contents differ" % show(rel))
        if ka != "symlink":
            want = canonical((stat.S_IFDIR if ka == "dir" else stat.S_IFREG) | ma)
            if mb != want:
                problems.append("%s: mode %04o, expected %04o (dpkg: %04o)" % (show(rel), mb, want, ma))
    ga, gb = link_groups(a), link_groups(b)
    if ga != gb:
        problems.append("hard-link groups differ: dpkg %s, firn %s" %
                        (sorted(sorted(map(show, g)) for g in ga - gb), sorted(sorted(map(show, g)) for g in gb - ga)))
    return problems


# ---- the permissions record ---------------------------------------------------

def escape(raw):
    return "".join("\\%03o" % c if c <= 0x20 or c >= 0x7f or c == 0x5c else chr(c) for c in raw)


def normalize(name):
    parts = [p for p in name.split(b"/") if p not in (b"", b".")]
    return b"/".join(parts)


def expected_record(members):
    """The permissions lines (sorted) for tar members [TarInfo]."""
    lines = []
    for t in members:
        rel = normalize(t.name.encode("utf-8", "surrogateescape"))
        perm = t.mode & 0o7777
        special = t.ischr() or t.isblk() or t.isfifo()
        if t.isdir():
            canon = 0o755
        elif t.isreg() or t.islnk():
            canon = 0o755 if perm & 0o111 else 0o644
        else:
            canon = perm

        def is_root(name, ident):
            return ident == 0 and name in ("", "root")

        if not special and perm == canon and is_root(t.uname, t.uid) and is_root(t.gname, t.gid):
            continue
        user = escape(t.uname.encode("utf-8", "surrogateescape")) if t.uname else str(t.uid)
        group = escape(t.gname.encode("utf-8", "surrogateescape")) if t.gname else str(t.gid)
        path = "/" + escape(rel)
        if t.ischr() or t.isblk():
            line = "%s %04o %s %s %d %d %s" % ("c" if t.ischr() else "b", perm, user, group,
                                               t.devmajor, t.devminor, path)
        elif t.isfifo():
            line = "p %04o %s %s %s" % (perm, user, group, path)
        else:
            line = "%04o %s %s %s" % (perm, user, group, path)
        lines.append((rel, line))
    lines.sort(key=lambda x: x[0])
    return [line for _, line in lines]


def data_members(deb):
    """The data.tar members of deb, read from `dpkg-deb --fsys-tarfile`."""
    p = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    members = []
    with tarfile.open(fileobj=p.stdout, mode="r|", encoding="utf-8", errors="surrogateescape") as tf:
        for t in tf:
            members.append(t)
    p.stdout.close()
    if p.wait() != 0:
        raise RuntimeError("dpkg-deb --fsys-tarfile %s failed" % deb)
    return members


def compare_record(out, package, expected):
    problems = []
    path = os.path.join(out, "nix-support", "deb", package, "permissions")
    if not expected:
        if os.path.lexists(path):
            problems.append("a permissions record, but nothing to record:\n" + open(path).read())
        return problems
    if not os.path.exists(path):
        return ["no permissions record; expected:\n      " + "\n      ".join(expected)]
    with open(path, encoding="ascii") as f:
        got = f.read()
    if not got.endswith("\n"):
        problems.append("permissions record does not end in a newline")
    got_lines = got.split("\n")[:-1]
    for line in sorted(set(expected) - set(got_lines)):
        problems.append("permissions: missing line %r" % line)
    for line in sorted(set(got_lines) - set(expected)):
        problems.append("permissions: unexpected line %r" % line)
    if not problems and got_lines != expected:
        problems.append("permissions: lines not sorted by path: %r" % got_lines)
    if stat.S_IMODE(os.stat(path).st_mode) != 0o644:
        problems.append("permissions: mode not 0644")
    return problems


def compare_control(deb, out, package, work):
    problems = []
    cdir = os.path.join(work, "control")
    shutil.rmtree(cdir, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-e", deb, cdir], check=True)
    mine = os.path.join(out, "nix-support", "deb", package)
    want = sorted(os.listdir(cdir))
    got = sorted(n for n in os.listdir(mine) if n != "permissions")
    if want != got:
        problems.append("control files: dpkg-deb -e has %s, firn %s" % (want, got))
    for n in set(want) & set(got):
        with open(os.path.join(cdir, n), "rb") as f1, open(os.path.join(mine, n), "rb") as f2:
            if f1.read() != f2.read():
                problems.append("control file %s differs" % n)
        mode = stat.S_IMODE(os.lstat(os.path.join(mine, n)).st_mode)
        if mode != 0o644:
            problems.append("control file %s: mode %04o" % (n, mode))
    fields = subprocess.run(["dpkg-deb", "-f", deb], check=True, capture_output=True).stdout
    with open(os.path.join(mine, "control"), "rb") as f:
        if f.read() != fields:
            problems.append("control differs from `dpkg-deb -f`")
    top = sorted(os.listdir(os.path.join(out, "nix-support")))
    if top != ["deb"]:
        problems.append("nix-support holds %s" % top)
    return problems


# ---- one .deb ----------------------------------------------------------------

class Timer:
    def __init__(self):
        self.dpkg = 0.0
        self.firn = 0.0
        self.n = 0


def run_tool(tool, debs, out):
    return subprocess.run([tool] + list(debs) + [out], capture_output=True, text=True, errors="replace",
                          timeout=600)


def check_deb(tool, deb, label, work, results, timer):
    a, b = os.path.join(work, "a"), os.path.join(work, "b")
    for d in (a, b):
        shutil.rmtree(d, ignore_errors=True)
    os.mkdir(a)
    with open(deb, "rb") as f:  # both read it from the page cache
        while f.read(1 << 20):
            pass
    package = subprocess.run(["dpkg-deb", "-f", deb, "Package"], check=True, capture_output=True,
                             text=True).stdout.strip()

    t0 = time.monotonic()
    subprocess.run(["dpkg-deb", "-x", deb, a], check=True)
    t1 = time.monotonic()
    r = run_tool(tool, [deb], b)
    t2 = time.monotonic()
    timer.dpkg += t1 - t0
    timer.firn += t2 - t1
    timer.n += 1
    if r.returncode != 0:
        results.fail(label, ["unpack-tool exited %d: %s" % (r.returncode, r.stderr.strip())])
        return

    tree_a = walk(a)
    tree_b = walk(b, skip_top=(b"nix-support",))
    problems = compare_trees(tree_a, tree_b)
    problems += compare_record(b, package, expected_record(data_members(deb)))
    problems += compare_control(deb, b, package, work)
    if problems:
        results.fail(label, problems)
    else:
        n = sum(1 for v in tree_a.values() if v[0] == "file")
        results.ok("%s %d files" % (label, n))


def recompressed(deb, work, data_ext, control_ext):
    """deb rebuilt with data.tar<data_ext> and control.tar<control_ext>."""
    members = {name: data for name, data, _ in ar_read(deb)}
    out = []
    for name, data in [(n, d) for n, d, _ in ar_read(deb)]:
        if name.startswith("control.tar"):
            out.append(("control.tar" + control_ext, compress(control_ext, decompress(name, data))))
        elif name.startswith("data.tar"):
            out.append(("data.tar" + data_ext, compress(data_ext, decompress(name, data))))
        else:
            out.append((name, data))
    assert "debian-binary" in members
    path = os.path.join(work, "%s-data%s-control%s.deb" % (os.path.basename(deb)[:-4], data_ext or ".none",
                                                           control_ext or ".none"))
    ar_write(path, out)
    return path


def check_together(tool, debs, work, results):
    """Several .debs into one directory; then one of them again."""
    a, b = os.path.join(work, "ta"), os.path.join(work, "tb")
    for d in (a, b):
        shutil.rmtree(d, ignore_errors=True)
    os.mkdir(a)
    for deb in debs:
        subprocess.run(["dpkg-deb", "-x", deb, a], check=True)
    label = "together(%s)" % ",".join(os.path.basename(d).split("_")[0] for d in debs)
    r = run_tool(tool, debs, b)
    if r.returncode != 0:
        results.fail(label, ["unpack-tool exited %d: %s" % (r.returncode, r.stderr.strip())])
        return
    problems = compare_trees(walk(a), walk(b, skip_top=(b"nix-support",)))
    for deb in debs:
        package = subprocess.run(["dpkg-deb", "-f", deb, "Package"], check=True, capture_output=True,
                                 text=True).stdout.strip()
        if not os.path.exists(os.path.join(b, "nix-support", "deb", package, "control")):
            problems.append("no nix-support/deb/%s/control" % package)
    r = run_tool(tool, [debs[0]], b)
    if r.returncode != 1 or "already unpacked" not in r.stderr or debs[0] not in r.stderr:
        problems.append("unpacking %s again: exit %d, %r" % (debs[0], r.returncode, r.stderr.strip()))
    if problems:
        results.fail(label, problems)
    else:
        results.ok("%s, then %s again refused" % (label, os.path.basename(debs[0]).split("_")[0]))


# ---- fetching -------------------------------------------------------------------

def kernel_package():
    out = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        line = line.strip()
        if line.startswith("Depends:") and line.split()[1].startswith("linux-image-"):
            return line.split()[1]
    return None


def cached(cache, name):
    hits = [f for f in os.listdir(cache) if f.endswith(".deb") and f.split("_")[0] == name]
    hits.sort(key=lambda f: os.path.getmtime(os.path.join(cache, f)))
    return os.path.join(cache, hits[-1]) if hits else None


def fetch(cache, names):
    """{name: path} of every package, downloading the missing ones. Exits
    (skip or fail) when a download fails."""
    missing = [n for n in names if not cached(cache, n)]
    if missing:
        log("fetching %d package(s) into %s: %s" % (len(missing), cache, " ".join(missing)))
        try:
            r = subprocess.run(["apt-get", "download"] + missing, cwd=cache, capture_output=True, text=True,
                               timeout=600)
            ok = r.returncode == 0
            why = r.stderr.strip()
        except (OSError, subprocess.TimeoutExpired) as e:
            ok, why = False, str(e)
        if not ok or any(not cached(cache, n) for n in missing):
            log("apt-get download failed: " + why)
            if os.environ.get("FIRN_OFFLINE") == "1":
                log("FIRN_OFFLINE=1: skipping")
                sys.exit(SKIP)
            sys.exit(1)
    return {n: cached(cache, n) for n in names}


# ---- crafted packages ---------------------------------------------------------

def snapshot(root, skip):
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        if dirpath == root:
            dirnames[:] = [d for d in dirnames if d != skip]
        for n in dirnames + filenames:
            out.add(os.path.join(dirpath, n))
    return out


def sanitizer_report(stderr):
    return "Sanitizer" in stderr or "runtime error:" in stderr


def check_failure(tool, label, deb, work, results, expect=None, outside=()):
    """deb must fail: exit 1, a message naming it, nothing written outside
    OUTDIR (work/out) or at any path in outside."""
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    before = snapshot(work, "out")
    try:
        r = run_tool(tool, [deb], out)
    except subprocess.TimeoutExpired:
        results.fail(label, ["timed out"])
        return
    problems = []
    if r.returncode != 1:
        problems.append("exit status %d (expected 1)" % r.returncode)
    if deb not in r.stderr:
        problems.append("message does not name the .deb: %r" % r.stderr.strip())
    if expect and expect not in r.stderr:
        problems.append("message does not say %r: %r" % (expect, r.stderr.strip()))
    if sanitizer_report(r.stderr):
        problems.append("sanitizer report:\n" + r.stderr[-3000:])
    after = snapshot(work, "out")
    if after != before:
        problems.append("written outside OUTDIR: %s" % sorted(after - before))
    for p in outside:
        if os.path.lexists(p):
            problems.append("written outside OUTDIR: %s" % p)
            shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else os.unlink(p)
    if problems:
        results.fail(label, problems)
    else:
        results.ok("%s: %s" % (label, r.stderr.strip().split("\n")[-1]))


CRAFTED_RECORD = """\
0700 root root /
c 0666 root root 1 3 /dev/null
b 0660 root disk 8 0 /dev/sda
0600 root root /etc/odd\\012name\\040with\\040space\\134
0440 root root /etc/sudoers
p 0600 root root /run/initctl
4755 root root /usr/bin/hard
0755 1000 1000 /usr/bin/mine
4755 root root /usr/bin/ping
2755 root tty /usr/bin/write
0601 root root /usr/bin/x-other
0777 daemon root /usr/share/owned-link
0700 root root /var/lib/foo
1770 daemon daemon /var/spool/at
"""


def crafted_ok(tool, work, results):
    """A package with what the store cannot hold, checked against a
    hand-written record and tree."""
    long_dir = "./usr/share/" + "d" * 120
    entries = [
        (ti("./", tarfile.DIRTYPE, 0o700), None),
        (ti("./dev/", tarfile.DIRTYPE, 0o755), None),
        (ti("./dev/null", tarfile.CHRTYPE, 0o666, devmajor=1, devminor=3), None),
        (ti("./dev/sda", tarfile.BLKTYPE, 0o660, gid=6, gname="disk", devmajor=8, devminor=0), None),
        (ti("./etc/", tarfile.DIRTYPE, 0o755), None),
        (ti("./etc/sudoers", mode=0o440), b"root ALL=(ALL) ALL\n"),
        (ti("./etc/odd\nname with space\\", mode=0o600), b"odd\n"),
        (ti("./run/", tarfile.DIRTYPE, 0o755), None),
        (ti("./run/initctl", tarfile.FIFOTYPE, 0o600), None),
        (ti("./usr/", tarfile.DIRTYPE, 0o755), None),
        (ti("./usr/bin/", tarfile.DIRTYPE, 0o755), None),
        (ti("./usr/bin/ping", mode=0o4755), b"\x7fELF ping"),
        (ti("./usr/bin/hard", tarfile.LNKTYPE, 0o4755, linkname="./usr/bin/ping"), None),
        (ti("./usr/bin/write", mode=0o2755, gid=5, gname="tty"), b"write"),
        (ti("./usr/bin/mine", mode=0o755, uid=1000, gid=1000, uname="", gname=""), b"mine"),
        (ti("./usr/bin/x-other", mode=0o601), b"x"),
        (ti("./usr/share/", tarfile.DIRTYPE, 0o755), None),
        (ti("./usr/share/empty"), b""),
        (ti("./usr/share/link", tarfile.SYMTYPE, 0o777, linkname="../bin/ping"), None),
        (ti("./usr/share/owned-link", tarfile.SYMTYPE, 0o777, uid=1, uname="daemon", linkname="/etc/sudoers"),
         None),
        (ti(long_dir + "/", tarfile.DIRTYPE, 0o755), None),
        (ti(long_dir + "/" + "f" * 150, mode=0o644), b"long name\n"),
        (ti(long_dir + "/longlink", tarfile.SYMTYPE, 0o777, linkname="/" + "t" * 200), None),
        (ti("./usr/share/big", mode=0o644), bytes(range(256)) * 20000),
        (ti("./var/", tarfile.DIRTYPE, 0o755), None),
        (ti("./var/lib/", tarfile.DIRTYPE, 0o755), None),
        (ti("./var/lib/foo/", tarfile.DIRTYPE, 0o700), None),
        (ti("./var/spool/", tarfile.DIRTYPE, 0o755), None),
        (ti("./var/spool/at/", tarfile.DIRTYPE, 0o1770, uid=1, gid=1, uname="daemon", gname="daemon"), None),
        (ti("./implicit/parent/file", mode=0o644), b"no parent entries\n"),
    ]
    deb = os.path.join(work, "crafted-ok.deb")
    make_deb(deb, entries, package="crafted-ok")
    out = os.path.join(work, "crafted-ok")
    shutil.rmtree(out, ignore_errors=True)
    r = run_tool(tool, [deb], out)
    problems = []
    if r.returncode != 0:
        results.fail("crafted-ok", ["exit %d: %s" % (r.returncode, r.stderr.strip())])
        return
    if sanitizer_report(r.stderr):
        problems.append("sanitizer report:\n" + r.stderr[-3000:])
    try:
        got = open(os.path.join(out, "nix-support/deb/crafted-ok/permissions")).read()
    except OSError as e:
        got = str(e)
    if got != CRAFTED_RECORD:
        problems.append("permissions record:\n%s\nexpected:\n%s" % (got, CRAFTED_RECORD))
    tree = walk(out, skip_top=(b"nix-support",))
    want = {
        b"dev": ("dir", 0o755), b"etc": ("dir", 0o755), b"etc/sudoers": ("file", 0o644),
        b"etc/odd\nname with space\\": ("file", 0o644), b"run": ("dir", 0o755), b"usr": ("dir", 0o755),
        b"usr/bin": ("dir", 0o755), b"usr/bin/ping": ("file", 0o755), b"usr/bin/hard": ("file", 0o755),
        b"usr/bin/write": ("file", 0o755), b"usr/bin/mine": ("file", 0o755),
        b"usr/bin/x-other": ("file", 0o755), b"usr/share": ("dir", 0o755), b"usr/share/empty": ("file", 0o644),
        b"usr/share/link": ("symlink", None), b"usr/share/owned-link": ("symlink", None),
        long_dir[2:].encode(): ("dir", 0o755), (long_dir[2:] + "/" + "f" * 150).encode(): ("file", 0o644),
        (long_dir[2:] + "/longlink").encode(): ("symlink", None), b"usr/share/big": ("file", 0o644),
        b"var": ("dir", 0o755), b"var/lib": ("dir", 0o755), b"var/lib/foo": ("dir", 0o755),
        b"var/spool": ("dir", 0o755), b"var/spool/at": ("dir", 0o755), b"implicit": ("dir", 0o755),
        b"implicit/parent": ("dir", 0o755), b"implicit/parent/file": ("file", 0o644),
    }
    got_tree = {k: (v[0], v[1]) for k, v in tree.items()}
    if got_tree != want:
        for k in sorted(set(want) | set(got_tree)):
            if want.get(k) != got_tree.get(k):
                problems.append("%s: %s, expected %s" % (show(k), got_tree.get(k), want.get(k)))
    if tree.get(b"usr/bin/ping", (0, 0, 0, 1))[3] != tree.get(b"usr/bin/hard", (0, 0, 0, 2))[3]:
        problems.append("/usr/bin/hard is not a hard link to /usr/bin/ping")
    if tree.get(b"usr/share/big", (0, 0, None))[2] != hashlib.sha256(bytes(range(256)) * 20000).hexdigest():
        problems.append("/usr/share/big: contents differ")
    if tree.get(b"usr/share/link", (0, 0, None))[2] != b"../bin/ping":
        problems.append("/usr/share/link: wrong target")
    if tree.get((long_dir[2:] + "/longlink").encode(), (0, 0, None))[2] != ("/" + "t" * 200).encode():
        problems.append("long symlink target differs")
    if open(os.path.join(out, "nix-support/deb/crafted-ok/control"), "rb").read() != CONTROL_TEXT % b"crafted-ok":
        problems.append("control differs")
    if stat.S_IMODE(os.stat(out).st_mode) != 0o755:
        problems.append("OUTDIR's mode changed")
    if problems:
        results.fail("crafted-ok", problems)
    else:
        results.ok("crafted-ok %d entries, permissions record as expected" % len(tree))


def crafted_pax(work):
    """A package in pax format (dpkg-deb writes GNU tar; other tools write
    pax): UTF-8 names and targets, long ones, a hard link."""
    entries = [(ti("./", tarfile.DIRTYPE, 0o755), None),
               (ti("./usr/", tarfile.DIRTYPE, 0o755), None),
               (ti("./usr/caf\u00e9", mode=0o755), b"caf\xc3\xa9\n"),
               (ti("./usr/" + "l" * 150 + "\u00fc", mode=0o4750, gid=5, gname="tty"), b"long\n"),
               (ti("./usr/link-\u00e9", tarfile.SYMTYPE, 0o777, linkname="caf\u00e9/" + "t" * 150), None),
               (ti("./usr/hard-\u00e9", tarfile.LNKTYPE, 0o755, linkname="./usr/caf\u00e9"), None)]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8") as tf:
        for t, data in entries:
            if data is None:
                tf.addfile(t)
            else:
                t.size = len(data)
                tf.addfile(t, io.BytesIO(data))
    path = os.path.join(work, "crafted-pax.deb")
    ar_write(path, [("debian-binary", b"2.0\n"), ("control.tar.gz", compress(".gz", control_tar("crafted-pax"))),
                    ("data.tar.xz", compress(".xz", buf.getvalue()))])
    return path


def crafted_failures(tool, work, results, real_deb):
    ok_data = [(ti("./", tarfile.DIRTYPE, 0o755), None), (ti("./usr/", tarfile.DIRTYPE, 0o755), None),
               (ti("./usr/f"), b"f\n")]
    xz_ok = compress(".xz", tar_bytes(ok_data))
    ctl = compress(".xz", control_tar())
    tag = "firn-unpack-evil-%d" % os.getpid()
    cases = []

    def deb(name, members):
        path = os.path.join(work, name + ".deb")
        ar_write(path, members)
        return path

    def data_deb(name, entries, **kw):
        path = os.path.join(work, name + ".deb")
        make_deb(path, entries, **kw)
        return path

    if real_deb:
        with open(real_deb, "rb") as f:
            whole = f.read()
        p = os.path.join(work, "truncated.deb")
        with open(p, "wb") as f:
            f.write(whole[:len(whole) // 2])
        cases.append(("truncated at half", p, None, ()))
        for where, frac in (("middle", 0.5), ("end", None)):
            start, size = [(off, len(d)) for n, d, off in ar_read(real_deb) if n.startswith("data.tar")][0]
            pos = start + (int(size * frac) if frac is not None else size - 20)
            corrupt = bytearray(whole)
            for i in range(pos, pos + 8):
                corrupt[i] ^= 0x5a
            p = os.path.join(work, "corrupt-%s.deb" % where)
            with open(p, "wb") as f:
                f.write(corrupt)
            cases.append(("corrupt data.tar.xz (%s)" % where, p, None, ()))
    else:
        # Offline: the same on a crafted package of some size.
        big = [(ti("./", tarfile.DIRTYPE, 0o755), None)] + [
            (ti("./f%03d" % i), os.urandom(2000) + bytes(20000)) for i in range(100)]
        p = data_deb("big", big)
        whole = open(p, "rb").read()
        q = os.path.join(work, "truncated.deb")
        open(q, "wb").write(whole[:len(whole) // 2])
        cases.append(("truncated at half", q, None, ()))
        for where, off in (("middle", len(whole) * 2 // 3), ("end", len(whole) - 20)):
            corrupt = bytearray(whole)
            for i in range(off, off + 8):
                corrupt[i] ^= 0x5a
            q = os.path.join(work, "corrupt-%s.deb" % where)
            open(q, "wb").write(corrupt)
            cases.append(("corrupt data.tar.xz (%s)" % where, q, None, ()))

    p = os.path.join(work, "not-ar.deb")
    with open(p, "w") as f:
        f.write("this is not an ar archive\n" * 10)
    cases.append(("not an ar archive", p, None, ()))
    p = os.path.join(work, "empty.deb")
    open(p, "wb").close()
    cases.append(("zero-length file", p, None, ()))
    cases.append(("no data.tar", deb("no-data", [("debian-binary", b"2.0\n"), ("control.tar.xz", ctl)]),
                  "no data.tar", ()))
    cases.append(("no control.tar", deb("no-control", [("debian-binary", b"2.0\n"), ("data.tar.xz", xz_ok)]),
                  "control.tar was expected", ()))
    cases.append(("no debian-binary", deb("no-binary", [("control.tar.xz", ctl), ("data.tar.xz", xz_ok)]),
                  "debian-binary", ()))
    cases.append(("version 3.0", deb("v3", [("debian-binary", b"3.0\n"), ("control.tar.xz", ctl),
                                            ("data.tar.xz", xz_ok)]), "unsupported", ()))
    cases.append(("data.tar.foo", deb("foo", [("debian-binary", b"2.0\n"), ("control.tar.xz", ctl),
                                              ("data.tar.foo", xz_ok)]), "unsupported compression", ()))
    cases.append(("control.tar.bz2", deb("ctl-bz2", [("debian-binary", b"2.0\n"),
                                                     ("control.tar.bz2", compress(".bz2", control_tar())),
                                                     ("data.tar.xz", xz_ok)]), "unsupported compression", ()))
    cases.append(("xz data named .gz", deb("misnamed", [("debian-binary", b"2.0\n"), ("control.tar.xz", ctl),
                                                        ("data.tar.gz", xz_ok)]), None, ()))
    cases.append(("garbage data.tar.xz", deb("garbage", [("debian-binary", b"2.0\n"), ("control.tar.xz", ctl),
                                                         ("data.tar.xz", os.urandom(5000))]), None, ()))
    cases.append(("data before control", deb("order", [("debian-binary", b"2.0\n"), ("data.tar.xz", xz_ok),
                                                       ("control.tar.xz", ctl)]), "control.tar was expected", ()))
    cases.append(("no control file", deb("no-control-file", [
        ("debian-binary", b"2.0\n"),
        ("control.tar.xz", compress(".xz", tar_bytes([(ti("./postinst"), b"#!/bin/sh\n")]))),
        ("data.tar.xz", xz_ok)]), "no control file", ()))
    cases.append(("bad Package", deb("bad-package", [
        ("debian-binary", b"2.0\n"),
        ("control.tar.xz", compress(".xz", tar_bytes([(ti("./control"), b"Package: ../../x\nVersion: 1\n")]))),
        ("data.tar.xz", xz_ok)]), "invalid package name", ()))
    cases.append(("control member named permissions", deb("ctl-permissions", [
        ("debian-binary", b"2.0\n"),
        ("control.tar.xz", compress(".xz", tar_bytes([(ti("./control"), CONTROL_TEXT % b"x"),
                                                      (ti("./permissions"), b"0755 root root /x\n")]))),
        ("data.tar.xz", xz_ok)]), "permissions record", ()))
    cases.append(("control member in a subdirectory", deb("ctl-subdir", [
        ("debian-binary", b"2.0\n"),
        ("control.tar.xz", compress(".xz", tar_bytes([(ti("./control"), CONTROL_TEXT % b"x"),
                                                      (ti("./sub/evil"), b"x")]))),
        ("data.tar.xz", xz_ok)]), "not a regular file at the top level", ()))
    cases.append(("control member ../", deb("ctl-dotdot", [
        ("debian-binary", b"2.0\n"),
        ("control.tar.xz", compress(".xz", tar_bytes([(ti("./control"), CONTROL_TEXT % b"x"),
                                                      (ti("../" + tag), b"x")]))),
        ("data.tar.xz", xz_ok)]), "'..'", (os.path.join(os.path.dirname(work), tag),)))

    root = [(ti("./", tarfile.DIRTYPE, 0o755), None)]
    cases.append(("member ../evil", data_deb("dotdot", root + [(ti("../" + tag), b"evil\n")]), "'..'",
                  (os.path.join(os.path.dirname(work), tag),)))
    cases.append(("member a/../../evil", data_deb("dotdot2", root + [(ti("./a/../../" + tag), b"evil\n")]), "'..'",
                  (os.path.join(os.path.dirname(work), tag),)))
    cases.append(("member /abs", data_deb("abs", root + [(ti("/tmp/" + tag), b"evil\n")]), "absolute",
                  ("/tmp/" + tag,)))
    cases.append(("symlink a -> /tmp, then a/x", data_deb("symlink-escape", root + [
        (ti("./a", tarfile.SYMTYPE, 0o777, linkname="/tmp"), None), (ti("./a/" + tag), b"evil\n")]),
        "symlink", ("/tmp/" + tag,)))
    cases.append(("symlink a -> /tmp, then dir a/d/", data_deb("symlink-escape-dir", root + [
        (ti("./a", tarfile.SYMTYPE, 0o777, linkname="/tmp"), None),
        (ti("./a/" + tag + "/", tarfile.DIRTYPE, 0o755), None)]), "symlink", ("/tmp/" + tag,)))
    cases.append(("symlink d -> .., then d/evil", data_deb("symlink-dotdot", root + [
        (ti("./d", tarfile.SYMTYPE, 0o777, linkname=".."), None), (ti("./d/" + tag), b"evil\n")]),
        "symlink", (os.path.join(os.path.dirname(work), tag),)))
    sentinel = os.path.join(work, "sentinel")
    os.makedirs(sentinel, exist_ok=True)
    cases.append(("hard link to ../", data_deb("hardlink-out", root + [
        (ti("./h", tarfile.LNKTYPE, 0o644, linkname="../sentinel/x"), None)]), "'..'", ()))
    cases.append(("hard link to /etc/passwd", data_deb("hardlink-abs", root + [
        (ti("./h", tarfile.LNKTYPE, 0o644, linkname="/etc/passwd"), None)]), "absolute", ()))
    cases.append(("hard link through a symlink", data_deb("hardlink-symlink", root + [
        (ti("./s", tarfile.SYMTYPE, 0o777, linkname="/etc"), None),
        (ti("./h", tarfile.LNKTYPE, 0o644, linkname="./s/passwd"), None)]), "hard link", ()))
    cases.append(("hard link to a symlink", data_deb("hardlink-to-symlink", root + [
        (ti("./s", tarfile.SYMTYPE, 0o777, linkname="/etc/passwd"), None),
        (ti("./h", tarfile.LNKTYPE, 0o644, linkname="./s"), None)]), "hard link", ()))
    cases.append(("a file shipped twice", data_deb("twice", root + [(ti("./f"), b"1\n"), (ti("./f"), b"2\n")]),
                  "shipped twice", ()))
    cases.append(("a file over a directory", data_deb("file-over-dir", root + [
        (ti("./d/", tarfile.DIRTYPE, 0o755), None), (ti("./d"), b"2\n")]), "shipped twice", ()))
    cases.append(("a member under nix-support/", data_deb("nix-support", root + [
        (ti("./nix-support/deb/crafted/control"), b"x\n")]), "reserved", ()))

    for label, path, expect, outside in cases:
        check_failure(tool, label, path, work, results, expect, outside)


# ---- main -------------------------------------------------------------------------

def main():
    args = sys.argv[1:]
    errors_only = bool(args) and args[0] == "--errors-only"
    if errors_only:
        args = args[1:]
    if len(args) != 2:
        sys.exit("usage: unpack-compare.py [--errors-only] UNPACK_TOOL CACHE_DIR")
    tool = os.path.abspath(args[0])
    cache = os.environ.get("FIRN_DEB_CACHE") or args[1]
    results = Results()
    timer = Timer()

    with tempfile.TemporaryDirectory(prefix="firn-unpack-") as tmp:
        work = os.path.join(tmp, "work")
        os.mkdir(work)
        if errors_only:
            crafted_ok(tool, work, results)
            crafted_failures(tool, work, results, None)
        else:
            for prog in ("dpkg-deb", "apt-get", "apt-cache"):
                if not shutil.which(prog):
                    log("no %s: skipping" % prog)
                    sys.exit(SKIP)
            os.makedirs(cache, exist_ok=True)
            names = list(PACKAGES)
            kernel = kernel_package()
            if not kernel:
                log("cannot resolve linux-image-amd64's kernel package (apt-cache depends)")
                if os.environ.get("FIRN_OFFLINE") == "1":
                    sys.exit(SKIP)
                sys.exit(1)
            names.append(kernel)
            debs = fetch(cache, names)
            for name in names:
                deb = debs[name]
                members = [n for n, _, _ in ar_read(deb)]
                label = name if members[2] == "data.tar.xz" else "%s[%s]" % (name, members[2])
                check_deb(tool, deb, label, work, results, timer)
            log("time: unpack-tool %.2fs, dpkg-deb -x %.2fs over %d .debs (sequential)" %
                (timer.firn, timer.dpkg, timer.n))
            have_zstd = shutil.which("zstd") is not None
            i = 0
            for name in RECOMPRESSED:
                for data_ext in DATA_COMPRESSIONS:
                    control_ext = CONTROL_COMPRESSIONS[i % len(CONTROL_COMPRESSIONS)]
                    i += 1
                    if not have_zstd and ".zst" in (data_ext, control_ext):
                        log("no zstd: not rebuilding %s with data.tar%s" % (name, data_ext))
                        continue
                    deb = recompressed(debs[name], tmp, data_ext, control_ext)
                    check_deb(tool, deb, "%s[data.tar%s,control.tar%s]" % (name, data_ext, control_ext),
                              work, results, Timer())
            check_deb(tool, crafted_pax(tmp), "crafted-pax", work, results, Timer())
            check_together(tool, [debs[n] for n in TOGETHER], work, results)
            crafted_ok(tool, work, results)
            crafted_failures(tool, work, results, debs["coreutils"])

    log("%d passed, %d failed" % (results.passed, results.failed))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
