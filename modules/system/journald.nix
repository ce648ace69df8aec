# services.journald: /etc/systemd/journald.conf (NixOS's options).
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.services.journald;
in
{
  options.services.journald = {
    storage = mkOption {
      type = types.enum [ "persistent" "volatile" "auto" "none" ];
      default = "persistent";
      description = "Storage=: where the journal is kept (persistent: /var/log/journal).";
    };
    console = mkOption { type = types.str; default = ""; description = "A console (e.g. /dev/tty12) the journal is also written to."; };
    rateLimitInterval = mkOption { type = types.str; default = "30s"; description = "RateLimitIntervalSec=."; };
    rateLimitBurst = mkOption { type = types.int; default = 10000; description = "RateLimitBurst=."; };
    forwardToSyslog = mkOption { type = types.bool; default = false; description = "ForwardToSyslog=."; };
    extraConfig = mkOption { type = types.lines; default = ""; example = "SystemMaxUse=200M"; description = "More [Journal] lines."; };
  };

  config.environment.etc."systemd/journald.conf".text = ''
    [Journal]
    Storage=${cfg.storage}
    RateLimitIntervalSec=${cfg.rateLimitInterval}
    RateLimitBurst=${toString cfg.rateLimitBurst}
    ForwardToSyslog=${if cfg.forwardToSyslog then "yes" else "no"}
  '' + lib.optionalString (cfg.console != "") ''
    ForwardToConsole=yes
    TTYPath=${cfg.console}
  '' + cfg.extraConfig;
}
