# security.sudo: NixOS's options over Debian's sudo. /etc/sudoers is
# rendered from the rules, checked by `visudo -c` when the system is built
# (a syntax error fails the build with visudo's message) and installed as a
# real file, 0440 root:root (sudo refuses a group- or world-writable one,
# and visudo expects that mode). sudo runs setuid root from
# /run/wrappers/bin/sudo, a copy activation makes (the store holds no
# setuid files); /usr/bin/sudo, the package's own, is not setuid and
# refuses to run. /etc/pam.d/sudo is Debian's (common-auth, common-account,
# common-session-noninteractive).
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkIf types concatStringsSep optional optionalString;
  cfg = config.security.sudo;

  # "#UID" and "%#GID" are how sudoers names numeric ids.
  userString = u: if builtins.isInt u then "#${toString u}" else u;
  groupString = g: if builtins.isInt g then "%#${toString g}" else "%${g}";
  commandString = c:
    if builtins.isString c then c
    else "${concatStringsSep "" (map (o: "${o}:") c.options)}${optionalString (c.options != [ ]) " "}${c.command}";
  ruleLines = r:
    let spec = "${r.host}=(${r.runAs})\t${concatStringsSep ", " (map commandString r.commands)}";
    in lib.optionals (r.commands != [ ])
      (map (u: "${userString u}\t${spec}") r.users ++ map (g: "${groupString g}\t${spec}") r.groups);

  commandType = types.either types.str (types.submodule {
    options = {
      command = mkOption { type = types.str; description = "A command (an absolute path, with arguments) or ALL."; };
      options = mkOption {
        type = types.listOf (types.enum [
          "NOPASSWD" "PASSWD" "NOEXEC" "EXEC" "SETENV" "NOSETENV" "LOG_INPUT" "NOLOG_INPUT" "LOG_OUTPUT" "NOLOG_OUTPUT"
          "MAIL" "NOMAIL" "FOLLOW" "NOFOLLOW" "INTERCEPT" "NOINTERCEPT"
        ]);
        default = [ ];
        description = "Tags of the command (sudoers(5)), e.g. NOPASSWD.";
      };
    };
  });

  ruleType = types.submodule {
    options = {
      users = mkOption { type = types.listOf (types.either types.str types.int); default = [ ]; description = "User names or uids the rule applies to."; };
      groups = mkOption { type = types.listOf (types.either types.str types.int); default = [ ]; description = "Group names or gids the rule applies to."; };
      host = mkOption { type = types.str; default = "ALL"; description = "The host the rule applies on."; };
      runAs = mkOption {
        type = types.str;
        default = "ALL:ALL";
        description = "Whom the commands may run as: USER, USER:GROUP or :GROUP (sudoers' Runas_Spec).";
      };
      commands = mkOption {
        type = types.listOf commandType;
        description = "The commands: strings, or { command; options; } attribute sets.";
      };
    };
  };

  sudoers = pkgs.writeText "sudoers" cfg.configFile;

  # visudo's own check, at build time; the system's /etc gets this output.
  checkedSudoers = pkgs.runCommand "sudoers-checked" { tools = [ cfg.package ]; } ''
    visudo -c -f ${sudoers}
    cp ${sudoers} $out
  '';
in
{
  options.security.sudo = {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether to enable sudo, which lets the users the rules name run commands as root.";
    };
    package = mkOption {
      type = types.package;
      default = pkgs.sudo;
      defaultText = lib.literalExpression "pkgs.sudo";
      description = "The sudo package (Debian's).";
    };
    wheelNeedsPassword = mkOption {
      type = types.bool;
      default = true;
      description = "Whether members of the `wheel` group must give their password to sudo.";
    };
    execWheelOnly = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether only root and members of `wheel` may execute sudo at all
        (the wrapper's group is wheel and others have no execute bit).
      '';
    };
    defaultOptions = mkOption {
      type = types.listOf types.str;
      default = [ "SETENV" ];
      description = "Tags of the default rules for root and wheel.";
    };
    extraRules = mkOption {
      type = types.listOf ruleType;
      default = [ ];
      example = lib.literalExpression ''
        [ { users = [ "backup" ]; runAs = "root";
            commands = [ { command = "/usr/bin/rsync"; options = [ "NOPASSWD" ]; } ]; } ]
      '';
      description = ''
        Rules of /etc/sudoers, in order (sudo applies the last that
        matches). root's and wheel's rules come first (mkOrder 400 and 600),
        so rules set with mkBefore come between them and the others after.
      '';
    };
    extraConfig = mkOption {
      type = types.lines;
      default = "";
      description = "Text appended to /etc/sudoers (Defaults lines, aliases, rules).";
    };
    configFile = mkOption {
      type = types.lines;
      description = "The whole /etc/sudoers (generated from the other options by default).";
    };
  };

  config = mkIf cfg.enable {
    security.sudo.extraRules = let
      allRule = subject: opts: [ (subject // { commands = [ { command = "ALL"; options = opts ++ cfg.defaultOptions; } ]; }) ];
    in lib.mkMerge [
      (lib.mkOrder 400 (allRule { users = [ "root" ]; } [ ]))
      (lib.mkOrder 600 (allRule { groups = [ "wheel" ]; } (optional (!cfg.wheelNeedsPassword) "NOPASSWD")))
    ];

    security.sudo.configFile = lib.mkDefault (concatStringsSep "\n" (lib.filter (s: s != "") [
      ''
        # Written by firn from security.sudo (set security.sudo.extraRules or
        # extraConfig rather than editing this file).

        Defaults env_reset
        # setuid wrappers (sudo itself) first, then Debian's PATH
        Defaults secure_path="/run/wrappers/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        # sudo with an SSH agent (scp, git) keeps reaching it
        Defaults env_keep+=SSH_AUTH_SOCK
      ''
      (concatStringsSep "\n" (lib.concatMap ruleLines cfg.extraRules) + "\n")
      (optionalString (cfg.extraConfig != "") ''
        # extraConfig
        ${cfg.extraConfig}
      '')
    ]));

    environment.systemPackages = [ cfg.package ];
    # NixOS has wheel at gid 1, Debian's daemon: wheel gets an allocated one.
    users.groups.wheel = { };

    environment.etc.sudoers = {
      source = checkedSudoers;
      mode = "0440";
    };

    security.wrappers = let
      wrapper = prog: {
        source = "${cfg.package}/usr/bin/${prog}";
        owner = "root";
        group = if cfg.execWheelOnly then "wheel" else "root";
        setuid = true;
        permissions = if cfg.execWheelOnly then "u+rx,g+x" else "u+rx,g+x,o+x";
      };
    in {
      sudo = wrapper "sudo";
      sudoedit = wrapper "sudoedit";
    };
  };
}
