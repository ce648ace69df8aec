# What every firn system has: Debian's Essential set (which packages never
# declare as dependencies) plus what booting with systemd needs, and the
# /etc files Debian's maintainer scripts would have written (no maintainer
# script runs under firn): nsswitch.conf (hostname and hosts are
# in ./networking.nix, PAM's common-* files in ../security/pam.nix).
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  # `Essential: yes` in bookworm's main (2026).
  essential = [
    "base-files" "base-passwd" "bash" "bsdutils" "coreutils" "dash" "debianutils" "diffutils" "dpkg"
    "findutils" "grep" "gzip" "hostname" "init-system-helpers" "libc-bin" "login" "ncurses-base"
    "ncurses-bin" "perl-base" "sed" "sysvinit-utils" "tar" "util-linux"
  ];
  boot = [
    "systemd" "systemd-sysv" "udev" "kmod" "dbus" "libpam-runtime" "libpam-modules" "libpam-modules-bin"
    "mawk" "procps" "iproute2" "mount" "e2fsprogs" "less" "libnss-systemd"
  ];
in
{
  options = {
    system.stateVersion = mkOption {
      type = types.str;
      default = "1";
      description = ''
        The firn release whose defaults for stateful data (ids, paths) this
        machine started with. Changing it does not migrate anything.
      '';
    };
  };

  config = {
    environment.basePackages = map (n: pkgs.${n}) (essential ++ boot);

    environment.etc = {
      "nsswitch.conf".text = ''
        passwd:         files systemd
        group:          files systemd
        shadow:         files
        gshadow:        files
        hosts:          files dns
        networks:       files
        protocols:      db files
        services:       db files
        ethers:         db files
        rpc:            db files
        netgroup:       nis
      '';
    };
  };
}
