# security.pam: the PAM configuration in /etc/pam.d. Programs bring their
# own service files from their Debian packages (openssh-server's sshd,
# sudo's sudo, login's login, …); they reach /etc through the packages'
# etc/ trees and @include Debian's common-* files, which pam-auth-update
# would write from its profiles (no maintainer script runs under firn), so
# they are written here, for pam_unix and pam_systemd.
#
# security.pam.services.NAME.text replaces /etc/pam.d/NAME as a whole (a
# small subset of NixOS's option: NixOS builds every service's text from
# its many switches; here the text is given, or the package's file is kept).
# The common-* files are services too, so a configuration can replace them.
#
# PAM loads modules from /lib/x86_64-linux-gnu/security (libpam0g's
# built-in directory), which merged /usr makes /usr/lib/…/security in the
# system's tree: libpam-modules and libpam-systemd put them there.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkDefault types;
  cfg = config.security.pam;

  serviceModule = types.submodule ({ name, ... }: {
    options = {
      name = mkOption { type = types.str; default = name; description = "The service's name (the file /etc/pam.d/NAME)."; };
      text = mkOption {
        type = types.nullOr types.lines;
        default = null;
        description = ''
          The whole /etc/pam.d/NAME. null: the file the service's Debian
          package ships (if any) is used as it is.
        '';
      };
    };
  });
in
{
  options.security.pam.services = mkOption {
    type = types.attrsOf serviceModule;
    default = { };
    example = lib.literalExpression ''
      { login.text = '''
          auth     include common-auth
          account  include common-account
          session  include common-session
        '''; }
    '';
    description = "PAM services by name; those with a `text` get it as /etc/pam.d/NAME.";
  };

  config = {
    # pam_systemd (common-session) registers login sessions with logind.
    environment.systemPackages = [ pkgs.libpam-systemd ];

    # What pam-auth-update writes for the profiles of pam_unix and
    # pam_systemd (Debian's defaults when libpam-systemd is installed).
    security.pam.services = {
      common-auth.text = mkDefault ''
        auth    [success=1 default=ignore]  pam_unix.so nullok
        auth    requisite                   pam_deny.so
        auth    required                    pam_permit.so
      '';
      common-account.text = mkDefault ''
        account [success=1 new_authtok_reqd=done default=ignore]  pam_unix.so
        account requisite                   pam_deny.so
        account required                    pam_permit.so
      '';
      common-password.text = mkDefault ''
        password [success=1 default=ignore] pam_unix.so obscure yescrypt
        password requisite                  pam_deny.so
        password required                   pam_permit.so
      '';
      common-session.text = mkDefault ''
        session [default=1]                 pam_permit.so
        session requisite                   pam_deny.so
        session required                    pam_permit.so
        session required                    pam_unix.so
        session optional                    pam_systemd.so
      '';
      common-session-noninteractive.text = mkDefault ''
        session [default=1]                 pam_permit.so
        session requisite                   pam_deny.so
        session required                    pam_permit.so
        session required                    pam_unix.so
      '';
    };

    environment.etc = lib.mapAttrs' (n: s: lib.nameValuePair "pam.d/${s.name}" { inherit (s) text; })
      (lib.filterAttrs (n: s: s.text != null) cfg.services);
  };
}
