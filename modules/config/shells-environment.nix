# The shell environment: environment.variables, sessionVariables,
# shellAliases, shellInit/loginShellInit/interactiveShellInit/extraInit and
# shells, with NixOS's names and meanings, on top of Debian's own shell
# start-up files, which are kept:
#
#   /etc/profile           Debian's (base-files' postinst would copy it from
#                          /usr/share/base-files/profile: no postinst runs, so
#                          it is linked from there). It sets Debian's PATH,
#                          sources /etc/bash.bashrc for interactive bash and
#                          then /etc/profile.d/*.sh.
#   /etc/profile.d/firn-environment.sh
#                          login shells (sh and bash): /etc/set-environment,
#                          then the shell and login-shell init code.
#   /etc/set-environment   the variables (environment.variables and
#                          sessionVariables, exported; values are expanded by
#                          the shell, so "$HOME/bin" works) and PATH with
#                          /run/wrappers/bin (setuid wrappers) first.
#   /etc/bash.bashrc       Debian's, with firn's interactive part appended
#                          (./../programs/bash.nix): aliases, prompt,
#                          interactive init; it sources /etc/set-environment
#                          itself when no parent shell did.
#   /etc/security/pam_env.conf
#                          sessionVariables for every PAM session that runs
#                          pam_env (Debian's login, su, sshd, …), as DEFAULT=
#                          values; $HOME and $USER become @{HOME} and
#                          @{PAM_USER}.
#   /etc/shells            environment.shells.
#
# In a login bash, Debian's /etc/profile sources /etc/bash.bashrc before
# /etc/profile.d, so interactiveShellInit runs before loginShellInit (NixOS
# runs them the other way round); both see the variables.
#
# environment.pathsToLink does not exist: the system's /usr (sw) merges
# every package's whole usr/ and etc/ tree.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types concatStringsSep mapAttrsToList optionalString;
  cfg = config.environment;
  bash = config.programs.bash;

  # NixOS's type: a string (or number, or path), or a list of them joined
  # with ":"; null leaves the variable out.
  scalar = types.oneOf [ types.int types.str types.path ];
  varType = types.attrsOf (types.nullOr (types.either scalar (types.listOf scalar)));
  joinVars = vars: lib.mapAttrs (n: v: if builtins.isList v then concatStringsSep ":" (map toString v) else toString v)
    (lib.filterAttrs (n: v: v != null) vars);

  # A shell word in double quotes: the value as NixOS writes it (so $VAR
  # and $(…) expand), with only embedded double quotes escaped.
  dquote = v: ''"${lib.replaceStrings [ "\"" ] [ "\\\"" ] v}"'';

  allVariables = joinVars cfg.sessionVariables // joinVars cfg.variables;

  setEnvironment = pkgs.writeText "set-environment" ''
    # Written by firn (environment.variables, environment.sessionVariables).
    # Sourced by login shells and by interactive bash when no parent shell
    # set the environment up.
    export __FIRN_SET_ENVIRONMENT_DONE=1
    ${concatStringsSep "\n" (mapAttrsToList (n: v: "export ${n}=${dquote v}") allVariables)}
    # setuid wrappers first (sudo, …)
    case "''${PATH-}" in
      /run/wrappers/bin:*) ;;
      *) PATH="/run/wrappers/bin''${PATH:+:$PATH}" ;;
    esac
    export PATH
    ${cfg.extraInit}
  '';

  # Shell code run only for bash.
  ifBash = code: optionalString (code != "") ''
    if [ -n "''${BASH_VERSION-}" ]; then
    ${code}
    fi
  '';

  loginScript = pkgs.writeText "firn-environment.sh" ''
    # Written by firn: environment.* and programs.bash.* for login shells.
    # Debian's /etc/profile has just set PATH: set the environment again.
    . /etc/set-environment
    if [ -z "''${__firn_shell_init_done-}" ]; then
      __firn_shell_init_done=1
    ${cfg.shellInit}
    ${ifBash bash.shellInit}
    fi
    ${cfg.loginShellInit}
    ${ifBash bash.loginShellInit}
  '';

  # pam_env.conf(5): VARIABLE DEFAULT="value"; @{HOME} and @{PAM_USER} are
  # expanded by pam_env itself.
  pamValue = v: lib.replaceStrings [ "$HOME" "\${HOME}" "$USER" "\${USER}" "\"" ] [ "@{HOME}" "@{HOME}" "@{PAM_USER}" "@{PAM_USER}" "\\\"" ] v;
  pamEnv = pkgs.writeText "pam_env.conf" ''
    # Written by firn from environment.sessionVariables (pam_env.conf(5)).
    # PATH first: a session without a login shell (ssh HOST COMMAND) still
    # finds the setuid wrappers (sudo).
    PATH DEFAULT="/run/wrappers/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    ${concatStringsSep "\n" (mapAttrsToList (n: v: "${n} DEFAULT=\"${pamValue v}\"") (joinVars cfg.sessionVariables))}
  '';

  # /etc/shells: Debian lists each shell under /bin and /usr/bin.
  shellPath = s: if builtins.isString s then s else "/usr/bin/${s.passthru.shellPath or s.passthru.debian.name or s.name}";
  withBin = p: if lib.hasPrefix "/usr/bin/" p then [ "/bin/${lib.removePrefix "/usr/bin/" p}" p ] else [ p ];
  notShells = [ "/usr/sbin/nologin" "/sbin/nologin" "/bin/false" "/usr/bin/false" "/bin/true" "/usr/bin/true" ];
  userShells = lib.filter (s: !(builtins.elem s notShells)) (map (u: u.shell) (lib.attrValues config.users.users));
  shells = lib.unique (lib.concatMap withBin (map shellPath cfg.shells ++ userShells));
in
{
  options.environment = {
    variables = mkOption {
      type = varType;
      default = { };
      example = { EDITOR = "vim"; MANPAGER = "less -R"; };
      description = ''
        Environment variables of every login shell and interactive bash,
        exported by /etc/set-environment. A list is joined with ":". Values
        are expanded by the shell ("$HOME/bin" works). null: not set.
      '';
    };
    sessionVariables = mkOption {
      type = varType;
      default = { };
      example = { XDG_CONFIG_HOME = "$HOME/.config"; };
      description = ''
        Environment variables of every PAM session (pam_env, through
        /etc/security/pam_env.conf), so also of programs not started from a
        shell (ssh commands, su, …); they are exported by the shells too
        (as environment.variables). $HOME and $USER are translated to
        pam_env's @{HOME} and @{PAM_USER}; other references are not expanded
        by PAM.
      '';
    };
    extraInit = mkOption {
      type = types.lines;
      default = "";
      description = "Shell code run at the end of /etc/set-environment (with the variables).";
    };
    shellInit = mkOption {
      type = types.lines;
      default = "";
      description = "Shell code run once by every login shell and interactive bash (POSIX sh).";
    };
    loginShellInit = mkOption {
      type = types.lines;
      default = "";
      description = "Shell code run by login shells (POSIX sh), from /etc/profile.d/firn-environment.sh.";
    };
    interactiveShellInit = mkOption {
      type = types.lines;
      default = "";
      description = "Shell code run by interactive shells (bash: from /etc/bash.bashrc).";
    };
    shellAliases = mkOption {
      type = types.attrsOf (types.nullOr types.str);
      default = { };
      example = { ll = "ls -l"; };
      description = ''
        Aliases of interactive shells (the default for
        programs.bash.shellAliases). null removes an alias set by default.
      '';
    };
    shells = mkOption {
      type = types.listOf (types.either types.package types.str);
      default = [ ];
      example = lib.literalExpression ''[ pkgs.zsh "/usr/bin/fish" ]'';
      description = ''
        Login shells allowed by /etc/shells, besides sh, bash and dash and
        every user's shell (users.users.*.shell), which are always listed.
        A package stands for /usr/bin/NAME (its passthru.shellPath or its
        Debian name); a path /usr/bin/X is listed as /bin/X too.
      '';
    };
  };

  config = {
    environment.shellAliases = lib.mapAttrs (n: lib.mkDefault) {
      ls = "ls --color=tty";
      ll = "ls -l";
      l = "ls -alh";
    };
    environment.shells = [ "/usr/bin/sh" "/usr/bin/bash" "/usr/bin/dash" ];

    environment.etc = {
      profile.source = "${pkgs.base-files}/usr/share/base-files/profile";
      "set-environment".source = setEnvironment;
      "profile.d/firn-environment.sh".source = loginScript;
      "security/pam_env.conf".source = pamEnv;
    }
    # Workaround: the generation's /etc takes a directory either from firn's
    # entries or from the packages' tree (sw), not both, when one package
    # alone ships it (sw links libpam-modules' etc/security as a whole). So
    # the rest of that directory is listed here, or pam_limits & co. would
    # lose their files. To go when the /etc merge unfolds such links.
    // lib.genAttrs (map (f: "security/${f}") [
      "access.conf" "faillock.conf" "group.conf" "limits.conf" "namespace.conf"
      "namespace.init" "sepermit.conf" "time.conf"
    ]) (f: { source = lib.mkDefault "${pkgs.libpam-modules}/etc/${f}"; })
    // {
      # `source` (not `text`), so that it replaces a `text` defined elsewhere.
      shells.source = pkgs.writeText "shells" (concatStringsSep "\n" shells + "\n");
    };
  };
}
