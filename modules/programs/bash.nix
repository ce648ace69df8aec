# programs.bash: bash's system-wide start-up code, with NixOS's option
# names. /etc/bash.bashrc is Debian's (from the bash package, which every
# firn system has) with firn's part appended; Debian's file returns early
# for non-interactive shells, so what is appended runs in interactive bash
# only: the environment (when no parent shell set it up), shellInit once,
# the aliases, promptInit and interactiveShellInit. Login bash reads
# /etc/bash.bashrc through Debian's /etc/profile; the login parts
# (shellInit, loginShellInit) run from /etc/profile.d/firn-environment.sh
# (../config/shells-environment.nix).
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types concatStringsSep mapAttrsToList;
  cfg = config.programs.bash;
  env = config.environment;

  aliases = lib.filterAttrs (n: v: v != null) cfg.shellAliases;
  aliasLines = mapAttrsToList (n: v: "alias -- ${n}=${lib.escapeShellArg v}") aliases;

  firnPart = pkgs.writeText "bash.bashrc-firn" ''

    # ---- Added by firn: environment.* and programs.bash.* ----
    if [ -z "''${__FIRN_SET_ENVIRONMENT_DONE-}" ]; then
      . /etc/set-environment
    fi
    if [ -z "''${__firn_shell_init_done-}" ]; then
      __firn_shell_init_done=1
    ${env.shellInit}
    ${cfg.shellInit}
    fi
    ${concatStringsSep "\n" aliasLines}
    ${lib.optionalString cfg.completion.enable ''
      # bash-completion (Debian's /etc/profile.d/bash_completion.sh does the
      # same for login shells; the guard keeps it to one load)
      if [ -z "''${BASH_COMPLETION_VERSINFO-}" ] && ! shopt -oq posix && shopt -q progcomp \
        && [ -r /usr/share/bash-completion/bash_completion ]; then
        . /usr/share/bash-completion/bash_completion
      fi
    ''}
    ${cfg.promptInit}
    ${env.interactiveShellInit}
    ${cfg.interactiveShellInit}
  '';

  bashrc = pkgs.runCommand "bash.bashrc" { debian = "${pkgs.bash}/etc/bash.bashrc"; inherit firnPart; } ''
    cat "$debian" "$firnPart" >"$out"
    bash -n "$out"
  '';
in
{
  options.programs.bash = {
    shellInit = mkOption {
      type = types.lines;
      default = "";
      description = "Shell code run once by every login bash and interactive bash.";
    };
    loginShellInit = mkOption {
      type = types.lines;
      default = "";
      description = "Shell code run by login bash (after environment.loginShellInit).";
    };
    interactiveShellInit = mkOption {
      type = types.lines;
      default = "";
      description = "Shell code run by interactive bash, from /etc/bash.bashrc (after environment.interactiveShellInit).";
    };
    promptInit = mkOption {
      type = types.lines;
      default = "";
      example = ''PS1='\u@\h:\w\$ ' '';
      description = ''
        Shell code that sets the prompt of interactive bash. Empty (the
        default): Debian's prompt, set by Debian's /etc/bash.bashrc.
      '';
    };
    shellAliases = mkOption {
      type = types.attrsOf (types.nullOr types.str);
      default = { };
      example = { ll = "ls -l"; };
      description = "Aliases of interactive bash (by default environment.shellAliases); null removes one.";
    };
    completion.enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether interactive bash has programmable completion (Debian's bash-completion).";
    };
  };

  config = {
    programs.bash.shellAliases = lib.mapAttrs (n: lib.mkDefault) env.shellAliases;
    environment.systemPackages = lib.optional cfg.completion.enable pkgs.bash-completion;
    environment.etc."bash.bashrc".source = bashrc;
  };
}
