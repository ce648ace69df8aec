# What every firn system has: Debian's Essential set (which packages never
# declare as dependencies) plus what booting with systemd needs, and the
# /etc files Debian's maintainer scripts would have written (no maintainer
# script runs under firn): hostname, hosts, shells, nsswitch.conf, PAM's
# common-* files.
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
    networking.hostName = mkOption {
      type = types.strMatching "[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?";
      default = "firn";
      description = "The machine's host name.";
    };
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
      hostname.text = "${config.networking.hostName}\n";
      hosts.text = ''
        127.0.0.1 localhost
        127.0.1.1 ${config.networking.hostName}
        ::1 localhost ip6-localhost ip6-loopback
      '';
      shells.text = ''
        /bin/sh
        /usr/bin/sh
        /bin/bash
        /usr/bin/bash
        /bin/dash
        /usr/bin/dash
      '';
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
      # What pam-auth-update writes for pam_unix alone.
      "pam.d/common-auth".text = ''
        auth    [success=1 default=ignore]  pam_unix.so nullok
        auth    requisite                   pam_deny.so
        auth    required                    pam_permit.so
      '';
      "pam.d/common-account".text = ''
        account [success=1 new_authtok_reqd=done default=ignore]  pam_unix.so
        account requisite                   pam_deny.so
        account required                    pam_permit.so
      '';
      "pam.d/common-password".text = ''
        password [success=1 default=ignore] pam_unix.so obscure yescrypt
        password requisite                  pam_deny.so
        password required                   pam_permit.so
      '';
      "pam.d/common-session".text = ''
        session [default=1]                 pam_permit.so
        session requisite                   pam_deny.so
        session required                    pam_permit.so
        session required                    pam_unix.so
        session optional                    pam_systemd.so
      '';
      "pam.d/common-session-noninteractive".text = ''
        session [default=1]                 pam_permit.so
        session requisite                   pam_deny.so
        session required                    pam_permit.so
        session required                    pam_unix.so
      '';
    };
  };
}
