# The system's software tree, `sw`: what /usr (and /bin, /sbin, /lib,
# /lib64, through usr/) point into at run time, and what /etc/static takes
# the packages' configuration files from.
#
#   sw = import ./sw.nix { inherit pkgs; };
#   sw { packages = [ pkgs.systemd pkgs.bash ]; }
#
# `pkgs` is the Debian package set of ./default.nix (with its trivial
# builders). The result is a builtin:buildenv derivation with
# debianLayout = "1" (see src/build/builtin-buildenv.h for the merge rules:
# each package's bin, sbin, lib, lib32, lib64, libx32 are merged as
# usr/NAME; only usr and etc are taken; symlinks are copied with relative
# targets made absolute FHS paths; top-level bin, sbin, lib… -> usr/NAME).
# It merges, at priority 5:
#
# * the dependency closure of `packages`: every Debian package they depend
#   on through passthru.debian.depends, transitively, each store path once
#   (members of a dependency cycle share one), in breadth-first order from
#   `packages`, as runCommand's tool closure in ./trivial.nix is made. An
#   element that is not a Debian package (a writeTextDir …) is kept as it
#   is, without a closure. Two packages with different files at one place
#   fail the build, naming both (Debian's file conflicts);
#
# and, at priority 0 (they win over the packages):
#
# * `ldCache`: etc/ld.so.cache, made by ldconfig -X over the closure's
#   library directories as store paths, so it maps each soname to a store
#   path (which exists at run time too). The directories, in closure order:
#   each package's lib/x86_64-linux-gnu, usr/lib/x86_64-linux-gnu, lib and
#   usr/lib, then the directories the closure's etc/ld.so.conf.d/*.conf
#   name, in each package that has them. Debian keeps private libraries
#   (systemd's libsystemd-shared, perl's, …) out of its cache: their users
#   reach them by RUNPATH, so they are left out here too. ldconfig also adds
#   its own trusted directories (/lib/x86_64-linux-gnu,
#   /usr/lib/x86_64-linux-gnu) as seen in the build sandbox; those entries
#   come after the store paths (ld.so takes the first), so they only serve
#   as a fallback to the FHS location.
#
# * `alternatives`: the symlinks Debian's maintainer scripts would have made
#   with update-alternatives (firn runs no maintainer scripts). Every
#   `update-alternatives … --install LINK NAME PATH PRIORITY [--slave LINK
#   NAME PATH]…` in the closure's nix-support/deb/*/postinst (continuation
#   lines joined; calls whose words hold a shell expansion are skipped) is
#   a candidate; per NAME the highest PRIORITY wins (ties: the smaller PATH),
#   as update-alternatives' automatic mode does. LINK -> PATH is made, with
#   both canonicalised to merged /usr (/bin/nano -> /usr/bin/nano), when
#   PATH exists in the closure, and likewise for each slave whose path
#   exists. The links go straight to PATH, without /etc/alternatives.
#   nix-support/alternatives lists what was made, one line each:
#   "LINK PATH NAME PRIORITY" ("-" as the priority for a slave). For the
#   usual closures: awk and nawk -> mawk (or gawk), pager -> more (or less),
#   which -> which.debianutils, editor -> nano (or vim.tiny), vi, view, ex,
#   rview -> vim.tiny, rmt -> rmt-tar.
#
# Attributes of the result besides the derivation's: closure (the list of
# packages merged), ldCache and alternatives (the two derivations).
{ pkgs }:
{ name ? "system-path", packages }:
let
  inherit (builtins)
    concatLists filter genericClosure isAttrs map unsafeDiscardStringContext;

  isDebian = p: isAttrs p && p ? passthru.debian;

  # ./trivial.nix's toolClosure.
  closure = pkgs.debianClosure packages;

  ldCache = pkgs.runCommand "ld.so.cache" { tools = [ pkgs.libc-bin ]; packages = closure; } ''
    # canonical DIR: DIR with a leading /bin, /sbin, /lib… under /usr
    canonical() {
      case $1 in
        /bin/* | /sbin/* | /lib/* | /lib32/* | /lib64/* | /libx32/* | /bin | /sbin | /lib | /lib32 | /lib64 | /libx32) echo "/usr$1" ;;
        *) echo "$1" ;;
      esac
    }
    dirs=()
    add() { [ -d "$1" ] && [ ! -L "$1" ] && dirs+=("$1") || true; }
    for p in $packages; do
      for d in lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu lib usr/lib; do add "$p/$d"; done
    done
    # The directories etc/ld.so.conf.d names (no 'include' in those files).
    conf=$(for p in $packages; do
      for f in "$p"/etc/ld.so.conf.d/*.conf; do
        [ -f "$f" ] && sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$f"
      done
    done | grep '^/' || true)
    for d in $conf; do
      c=$(canonical "$d")
      for p in $packages; do
        case " ''${dirs[*]} " in *" $p$d "* | *" $p$c "*) continue ;; esac
        add "$p$d"
        [ "$c" = "$d" ] || add "$p$c"
      done
    done
    mkdir -p $out/etc
    ldconfig -X -f /dev/null -C $out/etc/ld.so.cache "''${dirs[@]}"
    ldconfig -p -C $out/etc/ld.so.cache > /dev/null
  '';

  alternatives = pkgs.runCommand "system-alternatives" { packages = closure; } ''
    canonical() {
      case $1 in
        /bin/* | /sbin/* | /lib/* | /lib32/* | /lib64/* | /libx32/*) echo "/usr$1" ;;
        *) echo "$1" ;;
      esac
    }
    # exists PATH: whether a package of the closure has PATH (merged /usr).
    exists() {
      local p c
      c=$(canonical "$1")
      for p in $packages; do
        if [ -e "$p$1" ] || [ -L "$p$1" ] || [ -e "$p$c" ] || [ -L "$p$c" ]; then return 0; fi
        case $1 in
          /usr/bin/* | /usr/sbin/* | /usr/lib/* | /usr/lib32/* | /usr/lib64/* | /usr/libx32/*)
            if [ -e "$p''${1#/usr}" ] || [ -L "$p''${1#/usr}" ]; then return 0; fi ;;
        esac
      done
      return 1
    }
    mkdir -p $out/nix-support
    # One line per candidate: "M NAME PRIORITY LINK PATH" for a master,
    # "S NAME LINK PATH" for each of its slaves.
    for p in $packages; do
      for f in "$p"/nix-support/deb/*/postinst; do
        [ -f "$f" ] || continue
        sed -e ':a' -e '/\\$/{N;s/\\\n/ /;ba' -e '}' "$f"
      done
    done | awk '
      {
        for (i = 1; i <= NF; i++) {
          if ($i != "update-alternatives") continue
          install = 0
          for (j = i + 1; j <= NF; j++) {
            if ($j == "--install") { install = j; break }
            if ($j !~ /^--/) break
          }
          if (!install || install + 4 > NF) continue
          link = $(install + 1); name = $(install + 2); path = $(install + 3); prio = $(install + 4)
          if ((link name path prio) ~ /[$`]/) continue
          if (prio !~ /^[0-9]+$/) continue
          print "M", name, prio, link, path
          for (k = install + 5; k + 3 <= NF && $k == "--slave"; k += 4)
            if (($(k + 1) $(k + 2) $(k + 3)) !~ /[$`]/) print "S", name, $(k + 1), $(k + 3)
        }
      }' > candidates
    # Per NAME the highest priority, then the smaller path.
    grep '^M ' candidates | LC_ALL=C sort -k2,2 -k3,3nr -k5,5 | awk '!seen[$2]++' > chosen || true
    : > $out/nix-support/alternatives
    make() { # LINK PATH NAME PRIORITY
      local link path
      link=$(canonical "$1")
      path=$(canonical "$2")
      case $link in /usr/* | /etc/*) ;; *) return 0 ;; esac
      exists "$2" || return 0
      [ -e "$out$link" ] || [ -L "$out$link" ] && return 0
      mkdir -p "$(dirname "$out$link")"
      ln -s "$path" "$out$link"
      echo "$link $path $3 $4" >> $out/nix-support/alternatives
    }
    while read -r _ name prio link path; do
      make "$link" "$path" "$name" "$prio"
      # the slaves of this candidate: those listed after its master line
      awk -v n="$name" -v l="$link" -v p="$path" '
        $1 == "M" { cur = ($2 == n && $4 == l && $5 == p) }
        $1 == "S" && cur { print $3, $4 }' candidates | LC_ALL=C sort -u |
        while read -r slink spath; do make "$slink" "$spath" "$name" -; done
    done < chosen
  '';

  group = prio: p: [ "true" (toString prio) "1" "${p}" ];
in
derivation {
  inherit name;
  system = "builtin";
  builder = "builtin:buildenv";
  debianLayout = "1";
  derivations = group 0 ldCache ++ group 0 alternatives ++ concatLists (map (group 5) closure);
  preferLocalBuild = true;
  allowSubstitutes = false;
} // {
  inherit closure ldCache alternatives;
}
