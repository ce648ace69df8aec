#!/bin/bash
# The unit kinds of modules/system/systemd.nix rendered from a
# configuration (no VM): sockets, paths, slices, mounts and automounts
# (named by their mount point), services' scripts and triggers, startAt
# timers, masking, journald and logind; then the unit tree built: a
# definition over a unit a package ships becomes a drop-in, asUnit
# replaces it, and wants links point where systemd finds the unit.
. "$(dirname "$0")/../integration/test-lib.sh"
examples=${FIRN_EXAMPLES:-$(cd "$(dirname "$0")/../../examples" && pwd)}
cp "$examples/firn.lock" firn.lock 2>/dev/null || true

cat >units.nix <<NIX
{ pkgs, lib, ... }: {
  imports = [ $examples/minimal.nix ];
  systemd.sockets.echo = { listenStreams = [ "7777" ]; wantedBy = [ "sockets.target" ]; };
  systemd.paths.watch = { pathConfig.PathChanged = "/var/lib/watch"; wantedBy = [ "paths.target" ]; };
  systemd.slices.batch.sliceConfig.CPUWeight = 20;
  systemd.mounts = [ { what = "tmpfs"; where = "/mnt/my-data"; type = "tmpfs"; options = "size=16m"; wantedBy = [ "local-fs.target" ]; } ];
  systemd.automounts = [ { where = "/mnt/my-data"; wantedBy = [ "local-fs.target" ]; } ];
  systemd.services.job = {
    script = "echo hi";
    startAt = "hourly";
    restartTriggers = [ "trigger-a" ];
    restartIfChanged = false;
    serviceConfig.Type = "oneshot";
  };
  systemd.services.gone.enable = false;
  # a unit systemd itself ships: the definition becomes a drop-in ...
  systemd.services.systemd-hostnamed.serviceConfig.Nice = 5;
  # ... unless it says asUnit
  systemd.services.systemd-localed = { overrideStrategy = "asUnit"; script = "true"; wantedBy = [ "multi-user.target" ]; };
  services.journald = { storage = "volatile"; extraConfig = "SystemMaxUse=50M"; };
  services.logind.killUserProcesses = true;
}
NIX
ev() { firn eval --strict --json -E "let c = (import <firn/eval-config.nix> { configuration = ./units.nix; }).config; in $1"; }
text() { ev "$1" | python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin))'; }
unit() { text "c.systemd.units.\"$1\".text"; }
has() { grep -qxF -- "$2" <<<"$1"; }

check "a socket: ListenStream" has "$(unit echo.socket)" "ListenStream=7777"
check "a path: [Path] PathChanged" has "$(unit watch.path)" "PathChanged=/var/lib/watch"
check "a slice: [Slice] CPUWeight" has "$(unit batch.slice)" "CPUWeight=20"
m=$(unit 'mnt-my\\x2ddata.mount')
check "a mount is named by its escaped mount point, with What/Where/Type/Options" \
        bash -c 'grep -qx "Where=/mnt/my-data" <<<"$1" && grep -qx "Type=tmpfs" <<<"$1" && grep -qx "Options=size=16m" <<<"$1"' - "$m"
check "an automount likewise" has "$(unit 'mnt-my\\x2ddata.automount')" "Where=/mnt/my-data"
j=$(unit job.service)
check "a service's script is its ExecStart" grep -q '^ExecStart=/nix/store/.*-job-start$' <<<"$j"
check "restartTriggers render as X-Restart-Triggers" has "$j" "X-Restart-Triggers=trigger-a"
check "restartIfChanged = false renders as X-RestartIfChanged=no" has "$j" "X-RestartIfChanged=no"
check "startAt makes a timer" has "$(unit job.timer)" "OnCalendar=hourly"
expect_eq "$(ev 'c.systemd.units."job.timer".wantedBy')" '["timers.target"]' "... wanted by timers.target"
check "journald.conf" bash -c 'grep -qx Storage=volatile <<<"$1" && grep -qx SystemMaxUse=50M <<<"$1"' - \
        "$(text 'c.environment.etc."systemd/journald.conf".text')"
check "logind.conf" has "$(text 'c.environment.etc."systemd/logind.conf".text')" "KillUserProcesses=yes"

out=$(firn build --no-out-link -j 2 -E '(import <firn/eval-config.nix> { configuration = ./units.nix; }).config.systemd.build.units' 2>build.log)
check "the unit tree builds" test -n "$out"
[ -n "$out" ] || tail -20 build.log
T=$(resolve "$out")
check "a unit of its own is a whole unit" bash -c '[[ $(readlink "$1") == /nix/store/*-job.service ]]' - "$T/job.service"
expect_eq "$(readlink "$T/gone.service")" /dev/null "enable = false masks the unit"
check "a definition over a package's unit is a drop-in" test -L "$T/systemd-hostnamed.service.d/overrides.conf" -a ! -L "$T/systemd-hostnamed.service"
check "asUnit replaces the package's unit" test -L "$T/systemd-localed.service" -a ! -e "$T/systemd-localed.service.d"
expect_eq "$(readlink "$T/sockets.target.wants/echo.socket")" ../echo.socket "wants links point to the unit beside them"
expect_eq "$(readlink "$T/timers.target.wants/job.timer")" ../job.timer "... the startAt timer is enabled"
finish
