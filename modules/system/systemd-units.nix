# The unit kinds of systemd.nix: their options (NixOS's names) and how each
# renders to a unit file. Not a module: systemd.nix imports it as
#   import ./systemd-units.nix { inherit lib pkgs; }
# and gets { kinds, renderSection, escapeSystemdPath }.
{ lib, pkgs }:
let
  inherit (lib) mkOption types concatStringsSep mapAttrsToList optionalAttrs;

  # A value as systemd reads it: booleans are yes/no, the rest as strings.
  renderValue = v:
    if builtins.isBool v then (if v then "yes" else "no")
    else toString v;

  # [Name] with one line per key; a list repeats its key; null drops it.
  renderSection = name: attrs:
    let
      lines = lib.concatLists (mapAttrsToList (k: v:
        if v == null then [ ]
        else if builtins.isList v then map (x: "${k}=${renderValue x}") v
        else [ "${k}=${renderValue v}" ]) attrs);
    in if lines == [ ] then "" else "[${name}]\n${concatStringsSep "\n" lines}\n";

  # Environment= quoting (systemd.exec(5)): the whole assignment in double
  # quotes, backslash and double quote escaped; % doubled (specifiers).
  quoteEnv = n: v:
    let s = "${n}=${toString v}";
    in ''"${lib.replaceStrings [ "\\" "\"" "%" ] [ "\\\\" "\\\"" "%%" ] s}"'';

  # systemd-escape --path for the names of mount units: "/var/lib/x" is
  # "var-lib-x", a "-" in a component is "\x2d".
  escapeSystemdPath = path:
    let trimmed = lib.removeSuffix "/" (lib.removePrefix "/" path);
    in if trimmed == "" then "-"
    else lib.replaceStrings [ "\\" "-" " " "/" ] [ "\\x5c" "\\x2d" "\\x20" "-" ] trimmed;

  listOfUnits = mkOption { type = types.listOf types.str; default = [ ]; };
  nonEmpty = l: if l == [ ] then null else concatStringsSep " " l;

  # What every unit kind has.
  commonOptions = {
    options = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Whether the unit is installed; a disabled unit is masked (linked to /dev/null), as in NixOS.";
      };
      description = mkOption { type = types.str; default = ""; description = "Description=."; };
      documentation = listOfUnits // { description = "Documentation= URLs."; };
      wantedBy = listOfUnits // { description = "Units that want this one (a link in their .wants/)."; };
      requiredBy = listOfUnits // { description = "Units that require this one (a link in their .requires/)."; };
      upheldBy = listOfUnits // { description = "Units that uphold this one (a link in their .upholds/)."; };
      aliases = listOfUnits // { description = "Other names of the unit (links to it)."; };
      after = listOfUnits // { description = "After=."; };
      before = listOfUnits // { description = "Before=."; };
      wants = listOfUnits // { description = "Wants=."; };
      requires = listOfUnits // { description = "Requires=."; };
      bindsTo = listOfUnits // { description = "BindsTo=."; };
      partOf = listOfUnits // { description = "PartOf=."; };
      conflicts = listOfUnits // { description = "Conflicts=."; };
      onFailure = listOfUnits // { description = "OnFailure=."; };
      onSuccess = listOfUnits // { description = "OnSuccess=."; };
      upholds = listOfUnits // { description = "Upholds=."; };
      unitConfig = mkOption { type = types.attrsOf types.unspecified; default = { }; description = "More [Unit] settings."; };
      restartTriggers = mkOption {
        type = types.listOf types.unspecified;
        default = [ ];
        description = "Values (usually store paths) whose change restarts the unit on a switch (X-Restart-Triggers=).";
      };
      reloadTriggers = mkOption {
        type = types.listOf types.unspecified;
        default = [ ];
        description = "Values whose change reloads the unit on a switch (X-Reload-Triggers=).";
      };
      overrideStrategy = mkOption {
        type = types.enum [ "asDropinIfExists" "asDropin" "asUnit" ];
        default = "asDropinIfExists";
        description = ''
          How the unit is installed when a package already ships one of the
          same name: "asDropinIfExists" renders it as a drop-in
          (NAME.d/overrides.conf) over the package's unit when there is one,
          else as a whole unit; "asDropin" always as a drop-in; "asUnit"
          (firn's own: Debian's packages ship units where nixpkgs' often
          don't) always as a whole unit, which replaces the package's, for a
          module that defines the complete service.
        '';
      };
    };
  };

  unitSection = u: extra: renderSection "Unit" ({
    Description = if u.description == "" then null else u.description;
    Documentation = nonEmpty u.documentation;
    After = nonEmpty u.after;
    Before = nonEmpty u.before;
    Wants = nonEmpty u.wants;
    Requires = nonEmpty u.requires;
    BindsTo = nonEmpty u.bindsTo;
    PartOf = nonEmpty u.partOf;
    Conflicts = nonEmpty u.conflicts;
    OnFailure = nonEmpty u.onFailure;
    OnSuccess = nonEmpty u.onSuccess;
    Upholds = nonEmpty u.upholds;
    X-Restart-Triggers = nonEmpty (map toString u.restartTriggers);
    X-Reload-Triggers = nonEmpty (map toString u.reloadTriggers);
  } // extra // u.unitConfig);

  # One option set of its own per kind, e.g. timerConfig for [Timer].
  sectionOption = section: mkOption {
    type = types.attrsOf types.unspecified;
    default = { };
    description = "[${section}] settings.";
  };

  # ---- services -------------------------------------------------------------

  serviceOptions = { name, config, ... }: {
    options = {
      serviceConfig = sectionOption "Service";
      environment = mkOption {
        type = types.attrsOf (types.nullOr (types.oneOf [ types.str types.path types.package ]));
        default = { };
        description = "Environment variables of the service (null: unset).";
      };
      path = mkOption {
        type = types.listOf (types.oneOf [ types.package types.str ]);
        default = [ ];
        description = "Packages whose bin/, sbin/, usr/bin/ and usr/sbin/ go on PATH before the system's.";
      };
      script = mkOption { type = types.lines; default = ""; description = "A shell script run as ExecStart."; };
      scriptArgs = mkOption { type = types.str; default = ""; description = "Arguments of `script`."; };
      preStart = mkOption { type = types.lines; default = ""; description = "A shell script run as ExecStartPre."; };
      postStart = mkOption { type = types.lines; default = ""; description = "A shell script run as ExecStartPost."; };
      reload = mkOption { type = types.lines; default = ""; description = "A shell script run as ExecReload."; };
      preStop = mkOption { type = types.lines; default = ""; description = "A shell script run as ExecStop."; };
      postStop = mkOption { type = types.lines; default = ""; description = "A shell script run as ExecStopPost."; };
      restartIfChanged = mkOption {
        type = types.bool;
        default = true;
        description = "Whether a switch restarts the service when its unit changed (X-RestartIfChanged=).";
      };
      reloadIfChanged = mkOption {
        type = types.bool;
        default = false;
        description = "Whether a switch reloads instead of restarting the changed service (X-ReloadIfChanged=).";
      };
      stopIfChanged = mkOption {
        type = types.bool;
        default = true;
        description = "Whether a switch stops the old service before activation and starts the new one after (X-StopIfChanged=), rather than restarting it after.";
      };
      startAt = mkOption {
        type = types.either types.str (types.listOf types.str);
        default = [ ];
        example = "*-*-* 03:00:00";
        description = "OnCalendar= times at which a timer of the same name starts the service.";
      };
      startLimitBurst = mkOption { type = types.nullOr types.int; default = null; description = "StartLimitBurst=."; };
      startLimitIntervalSec = mkOption { type = types.nullOr types.int; default = null; description = "StartLimitIntervalSec=."; };
    };
  };

  servicePath = s: concatStringsSep ":" (lib.concatMap (p:
    if builtins.isString p then [ p ] else [ "${p}/usr/bin" "${p}/usr/sbin" "${p}/bin" "${p}/sbin" ]) s.path
    ++ [ "/usr/local/sbin" "/usr/local/bin" "/usr/sbin" "/usr/bin" "/sbin" "/bin" ]);

  renderService = name: s:
    let
      shell = suffix: text: pkgs.writeShellScript "${name}-${suffix}" ''
        set -e
        ${text}
      '';
      env = lib.filterAttrs (n: v: v != null) ({ PATH = servicePath s; } // s.environment);
    in
    unitSection s ({
      X-RestartIfChanged = if s.restartIfChanged then null else false;
      X-ReloadIfChanged = if s.reloadIfChanged then true else null;
      X-StopIfChanged = if s.stopIfChanged then null else false;
      StartLimitBurst = s.startLimitBurst;
      StartLimitIntervalSec = s.startLimitIntervalSec;
    }) + "\n" + renderSection "Service" ({
      Environment = mapAttrsToList quoteEnv env;
    } // optionalAttrs (s.script != "") { ExecStart = "${shell "start" s.script}" + lib.optionalString (s.scriptArgs != "") " ${s.scriptArgs}"; }
      // optionalAttrs (s.preStart != "") { ExecStartPre = "${shell "pre-start" s.preStart}"; }
      // optionalAttrs (s.postStart != "") { ExecStartPost = "${shell "post-start" s.postStart}"; }
      // optionalAttrs (s.reload != "") { ExecReload = "${shell "reload" s.reload}"; }
      // optionalAttrs (s.preStop != "") { ExecStop = "${shell "pre-stop" s.preStop}"; }
      // optionalAttrs (s.postStop != "") { ExecStopPost = "${shell "post-stop" s.postStop}"; }
      // s.serviceConfig);

  # ---- the other kinds ------------------------------------------------------

  socketOptions = {
    options = {
      listenStreams = listOfUnits // { description = "ListenStream= addresses."; };
      listenDatagrams = listOfUnits // { description = "ListenDatagram= addresses."; };
      socketConfig = sectionOption "Socket";
    };
  };
  renderSocket = name: s: unitSection s { } + "\n" + renderSection "Socket" ({
    ListenStream = s.listenStreams;
    ListenDatagram = s.listenDatagrams;
  } // s.socketConfig);

  timerOptions = { options.timerConfig = sectionOption "Timer"; };
  renderTimer = name: t: unitSection t { } + "\n" + renderSection "Timer" t.timerConfig;

  pathOptions = { options.pathConfig = sectionOption "Path"; };
  renderPath = name: p: unitSection p { } + "\n" + renderSection "Path" p.pathConfig;

  sliceOptions = { options.sliceConfig = sectionOption "Slice"; };
  renderSlice = name: s: unitSection s { } + "\n" + renderSection "Slice" s.sliceConfig;

  targetOptions = { };
  renderTarget = name: t: unitSection t { };

  mountOptions = {
    options = {
      what = mkOption { type = types.str; description = "What= (the device or source)."; };
      where = mkOption { type = types.str; description = "Where= (the mount point; names the unit)."; };
      type = mkOption { type = types.str; default = ""; description = "Type= (the file system type)."; };
      options = mkOption { type = types.str; default = ""; description = "Options= (comma separated)."; };
      mountConfig = sectionOption "Mount";
    };
  };
  renderMount = name: m: unitSection m { } + "\n" + renderSection "Mount" ({
    What = m.what;
    Where = m.where;
    Type = if m.type == "" then null else m.type;
    Options = if m.options == "" then null else m.options;
  } // m.mountConfig);

  automountOptions = {
    options = {
      where = mkOption { type = types.str; description = "Where= (the mount point; names the unit)."; };
      automountConfig = sectionOption "Automount";
    };
  };
  renderAutomount = name: a: unitSection a { } + "\n" + renderSection "Automount" ({ Where = a.where; } // a.automountConfig);

  # kind: the option (systemd.NAME), its unit suffix, its options, its
  # renderer, and how a definition is named: by its attribute name, or
  # (mounts, automounts: lists, as in NixOS) by its mount point.
  kind = suffix: options: render: { inherit suffix render; type = types.submodule { imports = [ commonOptions options ]; }; };
in
{
  inherit renderSection escapeSystemdPath;
  kinds = {
    services = kind "service" serviceOptions renderService;
    sockets = kind "socket" socketOptions renderSocket;
    timers = kind "timer" timerOptions renderTimer;
    paths = kind "path" pathOptions renderPath;
    slices = kind "slice" sliceOptions renderSlice;
    targets = kind "target" targetOptions renderTarget;
    mounts = kind "mount" mountOptions renderMount // { byWhere = true; };
    automounts = kind "automount" automountOptions renderAutomount // { byWhere = true; };
  };
}
