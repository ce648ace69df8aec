# systemd: units declared in Nix, rendered to unit files in the
# generation's /etc/systemd/system, enabled by .wants/.requires links made
# here (Debian's postinsts, which would run deb-systemd-helper, never run).
# Units the packages ship stay in /usr/lib/systemd/system.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types concatStringsSep concatMapStrings mapAttrsToList;
  cfg = config.systemd;

  # A value as systemd reads it: lists repeat the key, booleans are yes/no.
  renderValue = v:
    if builtins.isBool v then (if v then "yes" else "no")
    else toString v;
  renderSection = name: attrs:
    let
      lines = lib.concatLists (mapAttrsToList (k: v:
        if v == null then [ ]
        else if builtins.isList v then map (x: "${k}=${renderValue x}") v
        else [ "${k}=${renderValue v}" ]) attrs);
    in if lines == [ ] then "" else "[${name}]\n${concatStringsSep "\n" lines}\n";

  # Environment= quoting (systemd.exec(5)): the whole assignment in double
  # quotes, with backslash and double quote escaped; % doubled (specifiers).
  quoteEnv = n: v:
    let s = "${n}=${toString v}";
    in ''"${lib.replaceStrings [ "\\" "\"" "%" ] [ "\\\\" "\\\"" "%%" ] s}"'';

  commonOptions = { name, config, ... }: {
    options = {
      enable = mkOption { type = types.bool; default = true; description = "Whether the unit is installed."; };
      description = mkOption { type = types.str; default = ""; description = "Description=."; };
      wantedBy = mkOption { type = types.listOf types.str; default = [ ]; description = "Units that want this one."; };
      requiredBy = mkOption { type = types.listOf types.str; default = [ ]; description = "Units that require this one."; };
      after = mkOption { type = types.listOf types.str; default = [ ]; description = "After=."; };
      before = mkOption { type = types.listOf types.str; default = [ ]; description = "Before=."; };
      wants = mkOption { type = types.listOf types.str; default = [ ]; description = "Wants=."; };
      requires = mkOption { type = types.listOf types.str; default = [ ]; description = "Requires=."; };
      conflicts = mkOption { type = types.listOf types.str; default = [ ]; description = "Conflicts=."; };
      unitConfig = mkOption { type = types.attrsOf types.unspecified; default = { }; description = "More [Unit] settings."; };
    };
  };

  unitSection = u: renderSection "Unit" ({
    Description = if u.description == "" then null else u.description;
    After = if u.after == [ ] then null else concatStringsSep " " u.after;
    Before = if u.before == [ ] then null else concatStringsSep " " u.before;
    Wants = if u.wants == [ ] then null else concatStringsSep " " u.wants;
    Requires = if u.requires == [ ] then null else concatStringsSep " " u.requires;
    Conflicts = if u.conflicts == [ ] then null else concatStringsSep " " u.conflicts;
  } // u.unitConfig);

  serviceModule = types.submodule ({ name, config, ... }: {
    imports = [ commonOptions ];
    options = {
      serviceConfig = mkOption { type = types.attrsOf types.unspecified; default = { }; description = "[Service] settings."; };
      environment = mkOption { type = types.attrsOf types.str; default = { }; description = "Environment variables."; };
      path = mkOption {
        type = types.listOf types.package;
        default = [ ];
        description = "Packages whose bin/ and usr/bin/ go on PATH (besides the system's).";
      };
      script = mkOption { type = types.lines; default = ""; description = "A shell script run as ExecStart."; };
      preStart = mkOption { type = types.lines; default = ""; description = "A shell script run as ExecStartPre."; };
    };
  });

  targetModule = types.submodule { imports = [ commonOptions ]; };

  unitModule = types.submodule ({ name, ... }: {
    options = {
      enable = mkOption { type = types.bool; default = true; description = "Whether the unit is installed."; };
      text = mkOption { type = types.nullOr types.lines; default = null; description = "The unit file's text."; };
      wantedBy = mkOption { type = types.listOf types.str; default = [ ]; description = "Units that want this one."; };
      requiredBy = mkOption { type = types.listOf types.str; default = [ ]; description = "Units that require this one."; };
    };
  });

  servicePath = s: concatStringsSep ":" (lib.concatMap (p: [ "${p}/usr/bin" "${p}/bin" ]) s.path
    ++ [ "/usr/local/sbin" "/usr/local/bin" "/usr/sbin" "/usr/bin" "/sbin" "/bin" ]);

  renderService = name: s:
    let
      script = pkgs.writeShellScript "${name}-start" s.script;
      pre = pkgs.writeShellScript "${name}-pre-start" s.preStart;
      env = { PATH = servicePath s; } // s.environment;
    in
    unitSection s + "\n" + renderSection "Service" ({
      Environment = mapAttrsToList quoteEnv env;
    } // lib.optionalAttrs (s.script != "") { ExecStart = "${script}"; }
      // lib.optionalAttrs (s.preStart != "") { ExecStartPre = "${pre}"; }
      // s.serviceConfig);

  enabledServices = lib.filterAttrs (n: s: s.enable) cfg.services;
  enabledTargets = lib.filterAttrs (n: t: t.enable) cfg.targets;
  enabledUnits = lib.filterAttrs (n: u: u.enable && u.text != null) cfg.units;

  # name → { file; wantedBy; requiredBy; }
  allUnits =
    lib.mapAttrs' (n: s: lib.nameValuePair "${n}.service" {
      file = pkgs.writeText "${n}.service" (renderService n s);
      inherit (s) wantedBy requiredBy;
    }) enabledServices
    // lib.mapAttrs' (n: t: lib.nameValuePair "${n}.target" {
      file = pkgs.writeText "${n}.target" (unitSection t);
      inherit (t) wantedBy requiredBy;
    }) enabledTargets
    // lib.mapAttrs (n: u: {
      file = pkgs.writeText n u.text;
      inherit (u) wantedBy requiredBy;
    }) enabledUnits;

  links = lib.concatLists (mapAttrsToList (n: u:
    [ { name = n; path = u.file; } ]
    ++ map (t: { name = "${t}.wants/${n}"; path = u.file; }) u.wantedBy
    ++ map (t: { name = "${t}.requires/${n}"; path = u.file; }) u.requiredBy) allUnits)
    ++ map (n: { name = "${n}"; path = "/dev/null"; }) cfg.maskedUnits;
in
{
  options.systemd = {
    services = mkOption { type = types.attrsOf serviceModule; default = { }; description = "Services, by name (without .service)."; };
    targets = mkOption { type = types.attrsOf targetModule; default = { }; description = "Targets, by name (without .target)."; };
    units = mkOption { type = types.attrsOf unitModule; default = { }; description = "Unit files given as text, by full name."; };
    packages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      description = "Packages whose units (in lib/systemd/system) the system gets.";
    };
    defaultUnit = mkOption { type = types.str; default = "multi-user.target"; description = "The unit booted into."; };
    maskedUnits = mkOption { type = types.listOf types.str; default = [ ]; description = "Units masked (linked to /dev/null)."; };
    build.units = mkOption { type = types.package; internal = true; description = "etc/systemd/system."; };
  };

  config = {
    environment.systemPackages = cfg.packages;
    systemd.build.units = pkgs.linkFarm "system-units" links;
    # The unit booted into goes on the kernel command line: a default.target
    # link in /etc/systemd/system would reach systemd through /etc/static
    # and the store, and systemd takes a link that leaves its unit path for
    # a linked unit named default.target, not an alias.
    boot.kernelParams = [ "systemd.unit=${cfg.defaultUnit}" ];
    environment.etc."systemd/system".source = cfg.build.units;
  };
}
