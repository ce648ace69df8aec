# services.openssh: the OpenSSH server (Debian's openssh-server) with
# NixOS's options. firn renders /etc/ssh/sshd_config (checked with
# `sshd -t` when the system is built) and its own sshd.service; Debian's
# ssh.service (which reads /etc/default/ssh) stays unused.
#
#   sshd-keygen.service  makes each missing host key (hostKeys) before sshd
#                        starts: on first boot, once (the keys live in /etc/ssh).
#   sshd.service         `sshd -D`, privilege separation as user sshd in
#                        /run/sshd (Debian's compiled-in directory).
#   /etc/ssh/authorized_keys.d/USER
#                        users.users.USER.openssh.authorizedKeys, real files
#                        0444 root:root: sshd's StrictModes checks every
#                        directory up the real path of the file, and a store
#                        path's /nix/store need not pass.
#
# PAM: /etc/pam.d/sshd is Debian's (common-* from ../security/pam.nix).
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkIf types concatStringsSep concatMapStrings optionalString;
  cfg = config.services.openssh;

  # sshd_config's values: booleans yes/no; lists are comma-separated for the
  # algorithm lists, space-separated for the keywords that take several
  # words, else the keyword is repeated (sshd takes the first value of most
  # keywords and collects the others: AcceptEnv, HostKey, Port …).
  commaSeparated = [ "Ciphers" "KexAlgorithms" "Macs" "MACs" "HostKeyAlgorithms" "PubkeyAcceptedAlgorithms" "CASignatureAlgorithms" ];
  spaceSeparated = [ "AuthorizedKeysFile" "AllowGroups" "AllowUsers" "DenyGroups" "DenyUsers" "AuthenticationMethods" ];
  valueString = v:
    if builtins.isBool v then (if v then "yes" else "no")
    else toString v;
  settingLines = k: v:
    if v == null then [ ]
    else if builtins.isList v then
      (if builtins.elem k commaSeparated then [ "${k} ${concatStringsSep "," (map valueString v)}" ]
       else if builtins.elem k spaceSeparated then [ "${k} ${concatStringsSep " " (map valueString v)}" ]
       else map (x: "${k} ${valueString x}") v)
    else [ "${k} ${valueString v}" ];

  # Users' keys, one file each (only for users with keys).
  userKeys = u: u.openssh.authorizedKeys.keys
    ++ map (f: lib.removeSuffix "\n" (builtins.readFile f)) u.openssh.authorizedKeys.keyFiles;
  usersWithKeys = lib.filterAttrs (n: u: userKeys u != [ ]) config.users.users;

  configText = ''
    # Written by firn from services.openssh (sshd_config(5)).
    ${concatStringsSep "\n" (lib.concatLists (lib.mapAttrsToList settingLines cfg.settings))}
    ${concatMapStrings (p: "Port ${toString p}\n") cfg.ports}${concatMapStrings (a: "ListenAddress ${a.addr}${optionalString (a.port != null) ":${toString a.port}"}\n") cfg.listenAddresses}${concatMapStrings (k: "HostKey ${k.path}\n") cfg.hostKeys}AuthorizedKeysFile ${concatStringsSep " " cfg.authorizedKeysFiles}
    ${optionalString cfg.allowSFTP "Subsystem sftp ${cfg.sftpServerExecutable}${concatMapStrings (f: " ${f}") cfg.sftpFlags}\n"}${cfg.extraConfig}
  '';
  configFile = pkgs.writeText "sshd_config" configText;

  # sshd's own check of the file; it needs a host key to get that far, so
  # it is given a throwaway one (the configured ones don't exist here and
  # are reported as unloadable, which -t tolerates when another loads).
  checkedConfig = pkgs.runCommand "sshd_config-checked" { tools = [ cfg.package ]; } ''
    ssh-keygen -q -t ed25519 -N "" -f check-host-key
    if ! sshd -t -f ${configFile} -h "$PWD/check-host-key" 2>check.log; then
      grep -v '^Unable to load host key: ' check.log >&2
      echo "sshd_config: rejected by sshd -t (services.openssh.settings / extraConfig)" >&2
      exit 1
    fi
    cp ${configFile} $out
  '';

  keygenScript = concatMapStrings (k: ''
    if [ ! -s ${lib.escapeShellArg k.path} ]; then
      rm -f ${lib.escapeShellArg k.path}
      mkdir -m 0755 -p "$(dirname ${lib.escapeShellArg k.path})"
      ssh-keygen -q -t ${lib.escapeShellArg k.type}${optionalString (k ? bits && k.bits != null) " -b ${toString k.bits}"}${optionalString (k ? rounds && k.rounds != null) " -a ${toString k.rounds}"} -N "" -C "${k.comment or "root@${config.networking.hostName}"}" -f ${lib.escapeShellArg k.path}
      echo "sshd-keygen: made ${k.type} host key ${k.path}"
    fi
  '') cfg.hostKeys;

  authorizedKeysOptions = {
    keys = mkOption {
      type = types.listOf types.singleLineStr;
      default = [ ];
      example = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… alice@laptop" ];
      description = "Public keys (authorized_keys lines) that may log in as this user.";
    };
    keyFiles = mkOption {
      type = types.listOf types.path;
      default = [ ];
      description = "Files of public keys (authorized_keys lines), read when the system is evaluated.";
    };
  };
in
{
  options.services.openssh = {
    enable = mkOption { type = types.bool; default = false; description = "Whether to run the OpenSSH server, sshd."; };
    package = mkOption {
      type = types.package;
      default = pkgs.openssh-server;
      defaultText = lib.literalExpression "pkgs.openssh-server";
      description = "The OpenSSH server package (Debian's; it brings ssh-keygen with openssh-client).";
    };
    ports = mkOption {
      type = types.listOf types.port;
      default = [ 22 ];
      description = "The ports sshd listens on.";
    };
    openFirewall = mkOption {
      type = types.bool;
      default = true;
      description = "Whether to open `ports` in the firewall (networking.firewall.allowedTCPPorts).";
    };
    listenAddresses = mkOption {
      type = types.listOf (types.submodule {
        options = {
          addr = mkOption { type = types.str; description = "An address (IPv6 in brackets: \"[::1]\")."; };
          port = mkOption { type = types.nullOr types.port; default = null; description = "The port (null: every one of `ports`)."; };
        };
      });
      default = [ ];
      example = [ { addr = "192.168.3.1"; port = 22; } { addr = "0.0.0.0"; port = 64022; } ];
      description = "Addresses (and ports) sshd listens on; none: every address.";
    };
    allowSFTP = mkOption { type = types.bool; default = true; description = "Whether the SFTP subsystem is offered."; };
    sftpServerExecutable = mkOption {
      type = types.str;
      default = "/usr/lib/openssh/sftp-server";
      example = "internal-sftp";
      description = "The SFTP server (Debian's openssh-sftp-server, or internal-sftp).";
    };
    sftpFlags = mkOption { type = types.listOf types.str; default = [ ]; example = [ "-f AUTHPRIV" "-l INFO" ]; description = "Arguments of the SFTP server."; };
    hostKeys = mkOption {
      type = types.listOf (types.attrsOf types.unspecified);
      default = [
        { type = "rsa"; bits = 4096; path = "/etc/ssh/ssh_host_rsa_key"; }
        { type = "ed25519"; path = "/etc/ssh/ssh_host_ed25519_key"; }
      ];
      description = ''
        The host keys: { type; path; bits?; rounds?; comment?; }. Each missing
        one is made with ssh-keygen before sshd first starts.
      '';
    };
    authorizedKeysInHomedir = mkOption {
      type = types.bool;
      default = true;
      description = "Whether ~/.ssh/authorized_keys is read besides /etc/ssh/authorized_keys.d/USER.";
    };
    authorizedKeysFiles = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "More files of authorized keys (AuthorizedKeysFile tokens: %h, %u, %%).";
    };
    settings = mkOption {
      type = types.submodule {
        freeformType = types.attrsOf (types.nullOr (types.oneOf [ types.bool types.int types.str (types.listOf types.str) ]));
        options = {
          PasswordAuthentication = mkOption { type = types.bool; default = true; description = "Whether passwords are accepted."; };
          KbdInteractiveAuthentication = mkOption { type = types.bool; default = true; description = "Whether keyboard-interactive (PAM) authentication is accepted."; };
          PermitRootLogin = mkOption {
            type = types.enum [ "yes" "without-password" "prohibit-password" "forced-commands-only" "no" ];
            default = "prohibit-password";
            description = "Whether and how root may log in.";
          };
          X11Forwarding = mkOption { type = types.bool; default = false; description = "Whether X11 forwarding is allowed."; };
          UseDns = mkOption { type = types.bool; default = false; description = "Whether sshd looks up clients' host names."; };
          LogLevel = mkOption {
            type = types.enum [ "QUIET" "FATAL" "ERROR" "INFO" "VERBOSE" "DEBUG" "DEBUG1" "DEBUG2" "DEBUG3" ];
            default = "INFO";
            description = "sshd's log level.";
          };
          StrictModes = mkOption { type = types.bool; default = true; description = "Whether the modes and owners of users' files are checked."; };
          UsePAM = mkOption { type = types.bool; default = true; description = "Whether PAM (/etc/pam.d/sshd) does account and session setup."; };
          PrintMotd = mkOption { type = types.bool; default = false; description = "Whether sshd prints /etc/motd (pam_motd does already)."; };
          GatewayPorts = mkOption { type = types.str; default = "no"; description = "Whether remote forwardings bind to other addresses than loopback."; };
        };
      };
      default = { };
      example = { PasswordAuthentication = false; PermitRootLogin = "no"; MaxAuthTries = 3; };
      description = ''
        sshd_config settings (sshd_config(5)); null leaves one out. Booleans
        become yes/no; lists are comma-separated (Ciphers, KexAlgorithms,
        Macs), space-separated (AllowUsers, AuthorizedKeysFile, …) or the
        keyword repeated.
      '';
    };
    extraConfig = mkOption {
      type = types.lines;
      default = "";
      description = "Text appended to sshd_config (Match blocks go here).";
    };
  };

  # NixOS's per-user keys, added to users.users' submodule.
  options.users.users = mkOption {
    type = types.attrsOf (types.submodule { options.openssh.authorizedKeys = authorizedKeysOptions; });
  };

  config = mkIf cfg.enable {
    services.openssh.authorizedKeysFiles = lib.mkMerge [
      (lib.mkIf cfg.authorizedKeysInHomedir (lib.mkBefore [ ".ssh/authorized_keys" ]))
      [ "/etc/ssh/authorized_keys.d/%u" ]
    ];

    environment.systemPackages = [ cfg.package ];
    networking.firewall.allowedTCPPorts = mkIf cfg.openFirewall cfg.ports;

    users.users.sshd = {
      isSystemUser = true;
      group = "nogroup";
      home = "/run/sshd";
      description = "SSH privilege separation";
    };

    environment.etc = {
      "ssh/sshd_config".source = checkedConfig;
    } // lib.mapAttrs' (n: u: lib.nameValuePair "ssh/authorized_keys.d/${u.name}" {
      source = pkgs.writeText "${u.name}-authorized_keys" (concatMapStrings (k: "${k}\n") (userKeys u));
      mode = "0444";
    }) usersWithKeys;

    systemd.services.sshd-keygen = {
      description = "SSH host key generation";
      before = [ "sshd.service" ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
      };
      script = keygenScript;
    };

    systemd.services.sshd = {
      description = "OpenSSH server";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" "sshd-keygen.service" ];
      wants = [ "sshd-keygen.service" ];
      serviceConfig = {
        # Debian's sshd tells systemd when it listens (sd_notify).
        Type = "notify";
        ExecStart = "${cfg.package}/usr/sbin/sshd -D -f /etc/ssh/sshd_config";
        ExecReload = "/bin/kill -HUP $MAINPID";
        KillMode = "process";
        Restart = "on-failure";
        RestartPreventExitStatus = 255;
        RuntimeDirectory = "sshd";
        RuntimeDirectoryMode = "0755";
      };
    };
  };
}
