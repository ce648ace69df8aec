# The Debian package set: `import <firn/pkgs> { }` (or `{ lock = ./firn.lock; }`).
#
# pkgs.NAME is the package NAME of Debian 12 at the version the lock pins
# (resolved against apt's index, and added to the session's lock, when the
# lock lacks it): a derivation whose builder, builtin:unpack-deb, unpacks
# the .deb (fetched by builtin:fetch-deb, a fixed-output derivation) and
# records the store paths of its dependencies in nix-support/depends.
# Packages that depend on each other in a cycle share one store path (see
# src/debian/pkgs-eval.h). The trivial builders come from ./trivial.nix,
# `sw` (a system's merged tree) from ./sw.nix.
{ lock ? null }:
let
  db = builtins.__firnDebian;
  session = db.open lock;
  info = db.info session;

  deb = i: derivation {
    name = i.debStoreName;
    system = "builtin";
    builder = "builtin:fetch-deb";
    debName = i.name;
    debVersion = i.version;
    debArchitecture = i.architecture;
    debFilename = i.filename;
    debSize = toString i.size;
    outputHashMode = "flat";
    outputHashAlgo = "sha256";
    outputHash = i.sha256;
    preferLocalBuild = true;
  };

  # One derivation per dependency component, built for its first member.
  unpacked = db.packages session (name:
    let i = info name; in
    if i.sccRoot != name then unpacked.${i.sccRoot}
    else derivation {
      name = i.storeName;
      system = "builtin";
      builder = "builtin:unpack-deb";
      debs = map (m: deb (info m)) i.sccMembers;
      depends = map (d: unpacked.${d}) i.sccDepends;
      preferLocalBuild = true;
    });

  package = name:
    let i = info name; in
    builtins.seq (db.request session name) (unpacked.${name} // {
      pname = name;
      inherit (i) version;
      passthru.debian = i;
    });

  packages = db.packages session package;
  withBuilders = packages // import ./trivial.nix { pkgs = packages; inherit db session; };
in
# sw: the system's merged package tree (./sw.nix)
withBuilders // {
  sw = import ./sw.nix { pkgs = withBuilders; };
  # checkConflicts [ NAMES ]: true, or an error naming two packages of the
  # names' closure that Conflict or Break and the relation.
  checkConflicts = db.checkConflicts session;
}
