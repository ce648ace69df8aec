# console.*: the virtual consoles' keyboard map and font, as NixOS has
# them, through systemd-vconsole-setup and /etc/vconsole.conf.
#
# systemd-vconsole-setup runs loadkeys and setfont, which are in Debian's
# kbd; kbd ships no keymaps or fonts: the keymaps (us, de, fr, …) and a few
# fonts come from console-data, more fonts (Lat15-Terminus16, …) from
# console-setup-linux (add it to console.packages). The keymap and font are
# checked at build time with those packages: an unknown name fails the
# build naming console.keyMap or console.font.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.console;

  packages = [ pkgs.kbd pkgs.console-data ] ++ cfg.packages;

  # A name or a file (a path: copied to the store).
  value = v: if builtins.isPath v then "${v}" else v;
  keyMap = value cfg.keyMap;
  font = if cfg.font == null then null else value cfg.font;

  vconsoleConf = pkgs.runCommand "vconsole.conf" {
    tools = packages;
    keymap = keyMap;
    font = if font == null then "" else font;
  } ''
    # loadkeys --bkeymap: find and compile the map (to stdout), needing no console
    if ! loadkeys -q --bkeymap "$keymap" >/dev/null 2>err; then
      cat err >&2
      echo "console.keyMap: no keymap '$keymap' (looked in /usr/share/keymaps of kbd, console-data and console.packages)" >&2
      exit 1
    fi
    if [ -n "$font" ]; then
      found=
      case "$font" in
        /*) [ -f "$font" ] && found=1 ;;
        *) for f in /usr/share/consolefonts/"$font" /usr/share/consolefonts/"$font".*; do
             [ -f "$f" ] && found=1
           done ;;
      esac
      if [ -z "$found" ]; then
        echo "console.font: no font '$font' (looked in /usr/share/consolefonts of kbd, console-data and console.packages)" >&2
        exit 1
      fi
    fi
    {
      echo "KEYMAP=$keymap"
      if [ -n "$font" ]; then echo "FONT=$font"; fi
    } >"$out"
  '';
in
{
  options.console = {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether the virtual consoles are set up at boot
        (systemd-vconsole-setup). false: the service is masked.
      '';
    };
    keyMap = mkOption {
      type = types.either types.str types.path;
      default = "us";
      example = "de-latin1";
      description = "The keyboard map of the virtual consoles: a name loadkeys finds, or a file.";
    };
    font = mkOption {
      type = types.nullOr (types.either types.str types.path);
      default = null;
      example = "Lat2-Terminus16";
      description = ''
        The font of the virtual consoles: a name in /usr/share/consolefonts,
        or a file. null: the kernel's font.
      '';
    };
    packages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      example = lib.literalExpression "[ pkgs.console-setup-linux ]";
      description = "More packages with keymaps (/usr/share/keymaps) or fonts (/usr/share/consolefonts).";
    };
  };

  config = lib.mkMerge [
    (lib.mkIf cfg.enable {
      environment.systemPackages = packages;
      environment.etc."vconsole.conf".source = vconsoleConf;
    })
    (lib.mkIf (!cfg.enable) {
      systemd.maskedUnits = [ "systemd-vconsole-setup.service" ];
    })
  ];
}
