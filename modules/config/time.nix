# time.timeZone and time.hardwareClockInLocalTime, as NixOS has them.
#
# A zone: Debian's tzdata is part of the system (/usr/share/zoneinfo),
# /etc/localtime links straight to the zone's file there (mode
# "direct-symlink": timedated and timedatectl take the zone's name from
# the link's target) and /etc/timezone names the zone, as Debian's tzdata
# postinst would write them. /etc/timezone is written by a build that
# checks the name (an unknown zone fails the build naming time.timeZone).
# null (the default): no /etc/localtime, which glibc and systemd read as
# UTC.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.time;
  tz = cfg.timeZone;

  checkedZoneName = pkgs.runCommand "timezone-${lib.replaceStrings [ "/" ] [ "-" ] tz}" { zone = tz; zoneinfo = "${pkgs.tzdata}/usr/share/zoneinfo"; } ''
    f="$zoneinfo/$zone"
    case "$zone" in
      /* | *..* ) f= ;;
    esac
    if [ -z "$f" ] || [ ! -f "$f" ] || [ "$(head -c 4 "$f")" != TZif ]; then
      echo "time.timeZone: unknown time zone '$zone' (Debian's tzdata has no /usr/share/zoneinfo/$zone; see its tzdata.zi or zone1970.tab)" >&2
      exit 1
    fi
    echo "$zone" >"$out"
  '';
in
{
  options.time = {
    timeZone = mkOption {
      type = types.nullOr (types.strMatching "[^[:space:]]+");
      default = null;
      example = "Europe/Berlin";
      description = ''
        The time zone, a name from the IANA database as Debian's tzdata
        has it (/usr/share/zoneinfo/NAME). null: UTC.
      '';
    };
    hardwareClockInLocalTime = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether the hardware clock keeps local time instead of UTC
        (/etc/adjtime's third line LOCAL, read by systemd and hwclock).
      '';
    };
  };

  config = lib.mkMerge [
    (lib.mkIf (tz != null) {
      environment.systemPackages = [ pkgs.tzdata ];
      environment.etc.localtime = { source = "/usr/share/zoneinfo/${tz}"; mode = "direct-symlink"; };
      environment.etc.timezone.source = checkedZoneName;
    })
    (lib.mkIf cfg.hardwareClockInLocalTime {
      # A real file: hwclock rewrites it.
      environment.etc.adjtime = { text = "0.0 0 0.0\n0\nLOCAL\n"; mode = "0644"; };
    })
  ];
}
