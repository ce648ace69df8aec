# services.getty: the login prompts systemd's getty@ and serial-getty@
# units give (NixOS's options); autologinUser logs a user in without a
# password, e.g. root on a VM's serial console.
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.services.getty;
  # The agetty command line of Debian's units, plus firn's options.
  agetty = serial: lib.concatStringsSep " " ([ "-/sbin/agetty" "-o" "'-p -- \\\\u'" ]
    ++ lib.optionals (!serial) [ "--noclear" ]
    ++ lib.optionals serial [ "--keep-baud" ]
    ++ lib.optionals (cfg.autologinUser != null) [ "--autologin" cfg.autologinUser ]
    ++ cfg.extraArgs
    ++ (if serial then [ "115200,57600,38400,9600" "-" "$TERM" ] else [ "-" "$TERM" ]));
  dropin = serial: {
    overrideStrategy = "asDropin";
    # ExecStart= empty first: a drop-in replaces the unit's command.
    serviceConfig.ExecStart = [ "" (agetty serial) ];
  };
in
{
  options.services.getty = {
    autologinUser = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "A user logged in on every console without a password.";
    };
    extraArgs = mkOption { type = types.listOf types.str; default = [ ]; description = "More agetty arguments."; };
    greetingLine = mkOption { type = types.str; default = "Debian GNU/Linux on firn (\\l)"; description = "The line before the login prompt (/etc/issue)."; };
    helpLine = mkOption { type = types.lines; default = ""; description = "Lines after the greeting."; };
  };

  config = {
    systemd.services."getty@" = dropin false;
    systemd.services."serial-getty@" = dropin true;
    environment.etc.issue.text = ''
      ${cfg.greetingLine}
      ${cfg.helpLine}
    '';
  };
}
