# services.logind: /etc/systemd/logind.conf (NixOS's options).
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.services.logind;
  action = types.enum [ "ignore" "poweroff" "reboot" "halt" "kexec" "suspend" "hibernate" "hybrid-sleep" "suspend-then-hibernate" "lock" ];
in
{
  options.services.logind = {
    killUserProcesses = mkOption { type = types.bool; default = false; description = "KillUserProcesses=: end a user's processes when they log out."; };
    lidSwitch = mkOption { type = action; default = "suspend"; description = "HandleLidSwitch=."; };
    lidSwitchDocked = mkOption { type = action; default = "ignore"; description = "HandleLidSwitchDocked=."; };
    lidSwitchExternalPower = mkOption { type = action; default = cfg.lidSwitch; description = "HandleLidSwitchExternalPower=."; };
    powerKey = mkOption { type = action; default = "poweroff"; description = "HandlePowerKey=."; };
    extraConfig = mkOption { type = types.lines; default = ""; example = "IdleAction=lock"; description = "More [Login] lines."; };
  };

  config.environment.etc."systemd/logind.conf".text = ''
    [Login]
    KillUserProcesses=${if cfg.killUserProcesses then "yes" else "no"}
    HandleLidSwitch=${cfg.lidSwitch}
    HandleLidSwitchDocked=${cfg.lidSwitchDocked}
    HandleLidSwitchExternalPower=${cfg.lidSwitchExternalPower}
    HandlePowerKey=${cfg.powerKey}
  '' + cfg.extraConfig;
}
