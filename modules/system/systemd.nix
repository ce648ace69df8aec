# systemd: units declared in Nix (services, sockets, timers, paths, slices,
# targets, mounts, automounts, or whole unit texts), rendered to unit files
# in the generation's /etc/systemd/system and enabled by .wants/.requires/
# .upholds links made here (Debian's postinsts, which would run
# deb-systemd-helper, never run). Units the packages ship stay in
# /usr/lib/systemd/system; a definition of the same name becomes a drop-in
# over them (NixOS's overrideStrategy). Also systemd.tmpfiles.rules.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types concatStringsSep mapAttrsToList;
  cfg = config.systemd;
  units = import ./systemd-units.nix { inherit lib pkgs; };

  unitModule = types.submodule ({ name, ... }: {
    options = {
      enable = mkOption { type = types.bool; default = true; description = "Whether the unit is installed; false masks it."; };
      text = mkOption { type = types.nullOr types.lines; default = null; description = "The unit file's text (null: only the links below, for a unit a package ships)."; };
      wantedBy = mkOption { type = types.listOf types.str; default = [ ]; description = "Units that want this one."; };
      requiredBy = mkOption { type = types.listOf types.str; default = [ ]; description = "Units that require this one."; };
      upheldBy = mkOption { type = types.listOf types.str; default = [ ]; description = "Units that uphold this one."; };
      aliases = mkOption { type = types.listOf types.str; default = [ ]; description = "Other names of the unit."; };
      overrideStrategy = mkOption {
        type = types.enum [ "asDropinIfExists" "asDropin" "asUnit" ];
        default = "asDropinIfExists";
        description = "As a drop-in over a package's unit of the same name (when there is one, or always), or as a whole unit replacing it.";
      };
    };
  });

  # Every definition of every kind as a systemd.units entry, named with its
  # suffix (mounts and automounts by their mount point).
  unitsOfKind = kindName: k:
    let
      defs = cfg.${kindName};
      named = if k.byWhere or false
        then map (d: lib.nameValuePair "${units.escapeSystemdPath d.where}.${k.suffix}" d) defs
        else mapAttrsToList (n: d: lib.nameValuePair "${n}.${k.suffix}" d) defs;
    in map (nv: lib.nameValuePair nv.name {
      inherit (nv.value) enable wantedBy requiredBy upheldBy aliases overrideStrategy;
      text = k.render (lib.removeSuffix ".${k.suffix}" nv.name) nv.value;
    }) named;

  # The tree /etc/systemd/system, as a manifest of tab-separated lines the
  # builder below turns into files and links:
  #   unit NAME STRATEGY FILE    the unit (or a drop-in, per STRATEGY)
  #   mask NAME                  NAME -> /dev/null
  #   link DIR NAME              DIR/NAME -> the unit NAME (DIR: x.target.wants)
  #   alias ALIAS NAME           ALIAS -> the unit NAME
  enabled = lib.filterAttrs (n: u: u.enable) cfg.units;
  manifest = lib.concatLists (mapAttrsToList (n: u:
    lib.optional (u.text != null) "unit\t${n}\t${u.overrideStrategy}\t${pkgs.writeText (lib.replaceStrings [ "@" "\\" ] [ "_" "_" ] n) u.text}"
    ++ map (t: "link\t${t}.wants\t${n}") u.wantedBy
    ++ map (t: "link\t${t}.requires\t${n}") u.requiredBy
    ++ map (t: "link\t${t}.upholds\t${n}") u.upheldBy
    ++ map (a: "alias\t${a}\t${n}") u.aliases) enabled)
    ++ map (n: "mask\t${n}") (lib.attrNames (lib.filterAttrs (n: u: !u.enable) cfg.units) ++ cfg.maskedUnits);

  # A unit a package ships (in sw's usr/lib/systemd/system) gets a
  # definition of the same name as a drop-in, so the package's unit keeps
  # its ExecStart and the definition adds to it. Links point to the unit
  # where systemd will find it: here, or in /usr/lib/systemd/system.
  unitTree = pkgs.runCommandLocal "system-units" {
    manifest = concatStringsSep "\n" manifest + "\n";
    passAsFile = [ "manifest" ];
    packageUnits = "${config.system.build.sw}/usr/lib/systemd/system";
  } ''
    mkdir -p "$out"
    target() { if [ -e "$out/$1" ] || [ -L "$out/$1" ]; then echo "../$1"; else echo "/usr/lib/systemd/system/$1"; fi; }
    while IFS=$'\t' read -r what a b c; do
      case $what in
        unit)
          if [ "$b" = asDropin ] || { [ "$b" = asDropinIfExists ] && [ -e "$packageUnits/$a" ]; }; then
            mkdir -p "$out/$a.d"; ln -s "$c" "$out/$a.d/overrides.conf"
          else
            ln -s "$c" "$out/$a"
          fi ;;
        mask) ln -sfn /dev/null "$out/$a" ;;
      esac
    done <"$manifestPath"
    while IFS=$'\t' read -r what a b; do
      case $what in
        link) mkdir -p "$out/$a"; ln -sfn "$(target "$b")" "$out/$a/$b" ;;
        alias) t=$(target "$b"); ln -sfn "''${t#../}" "$out/$a" ;;
      esac
    done <"$manifestPath"
  '';
in
{
  options.systemd = lib.mapAttrs (kindName: k: mkOption {
    type = if k.byWhere or false then types.listOf k.type else types.attrsOf k.type;
    default = if k.byWhere or false then [ ] else { };
    description = "Units of the kind .${k.suffix}"
      + (if k.byWhere or false then ", a list, each named by its mount point." else ", by name (without the suffix).");
  }) units.kinds // {
    units = mkOption { type = types.attrsOf unitModule; default = { }; description = "Unit files by full name (every kind above ends up here)."; };
    packages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      description = "Packages whose units (in lib/systemd/system) the system gets.";
    };
    defaultUnit = mkOption { type = types.str; default = "multi-user.target"; description = "The unit booted into."; };
    maskedUnits = mkOption { type = types.listOf types.str; default = [ ]; description = "Units masked (linked to /dev/null)."; };
    suppressedGenerators = mkOption {
      type = types.listOf types.str;
      default = [
        "systemd-cryptsetup-generator" "systemd-gpt-auto-generator" "systemd-hibernate-resume-generator"
        "systemd-integritysetup-generator" "systemd-rc-local-generator" "systemd-system-update-generator"
        "systemd-sysv-generator" "systemd-veritysetup-generator"
      ];
      description = ''
        Generators of the packages that never run (masked in
        /etc/systemd/system-generators): each is a process start while
        systemd boots. firn has no SysV init scripts, rc.local, crypttab,
        hibernation image or offline updates to find.
      '';
    };
    tmpfiles.rules = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "d /var/lib/foo 0750 foo foo -" ];
      description = "tmpfiles.d(5) lines, in /etc/tmpfiles.d/00-firn.conf.";
    };
    build.units = mkOption { type = types.package; internal = true; description = "etc/systemd/system."; };
  };

  config = {
    systemd.units = lib.listToAttrs (lib.concatLists (mapAttrsToList unitsOfKind units.kinds));
    # services.NAME.startAt: a timer of the same name.
    systemd.timers = lib.mapAttrs (n: s: {
      wantedBy = [ "timers.target" ];
      timerConfig.OnCalendar = s.startAt;
    }) (lib.filterAttrs (n: s: s.enable && s.startAt != [ ]) cfg.services);

    environment.systemPackages = cfg.packages;
    systemd.build.units = unitTree;
    # Accounts are declared by modules (users.nix) and written by the
    # activation; sysusers.d would add others at every boot (and cost
    # seconds on the way to sysinit.target).
    systemd.maskedUnits = [ "systemd-sysusers.service" ];
    # The unit booted into (defaultUnit) is linked as default.target in
    # /run/systemd/system by the activation (activation.json's defaultUnit;
    # activation/stage-2/links.h says why not in /etc/systemd/system).
    environment.etc = lib.listToAttrs (map (g: lib.nameValuePair "systemd/system-generators/${g}" { source = "/dev/null"; })
      cfg.suppressedGenerators) // {
      "systemd/system".source = cfg.build.units;
      "tmpfiles.d/00-firn.conf" = lib.mkIf (cfg.tmpfiles.rules != [ ]) {
        text = concatStringsSep "\n" cfg.tmpfiles.rules + "\n";
      };
    };
  };
}
