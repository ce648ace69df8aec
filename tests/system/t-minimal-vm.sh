#!/bin/bash
# examples/minimal.nix as a VM: `firn system build-vm`, then the VM boots
# under TCG with a marker service ordered after multi-user.target that
# prints how many units failed (systemctl's own count) and whether the
# rendered unit files pass `systemd-analyze verify`, then powers off. The
# test passes when both are clean. Also: configuration errors fail
# `firn system build` with the module system's message.
. "$(dirname "$0")/../integration/test-lib.sh"
examples=${FIRN_EXAMPLES:-$(cd "$(dirname "$0")/../../examples" && pwd)}

cat >vm.nix <<NIX
{ pkgs, lib, ... }:
{
  imports = [ $examples/minimal.nix ];
  systemd.services.firn-test-marker = {
    description = "Report failed units to the console, then power off";
    wantedBy = [ "multi-user.target" ];
    after = [ "multi-user.target" ];
    serviceConfig.Type = "oneshot";
    script = ''
      # the kernel's log reaches the serial console even while getty holds it
      verify=failed
      # every unit file (not aliases: their target has another name)
      units=
      for f in /etc/systemd/system/*.*; do
        [ -f "\$f" ] || continue
        case \$(readlink -f "\$f") in *"\$(basename "\$f")") units="\$units \$f" ;; esac
      done
      if out=\$(systemd-analyze verify --man=no \$units 2>&1); then verify=ok; else echo "FIRN-TEST-VERIFY-OUTPUT: \$out" | head -8 >/dev/kmsg; fi
      echo "FIRN-TEST-DEFAULT=\$(systemctl get-default)/\$(systemctl show -P Id default.target)/\$(grep -c systemd.unit= /proc/cmdline)" >/dev/kmsg
      echo "FIRN-TEST-ACCOUNTS=\$(systemctl is-enabled systemd-sysusers.service)/\$(getent passwd messagebus www-data | cut -d: -f1 | tr '\\n' ,)" >/dev/kmsg
      echo "FIRN-TEST-MASKED=\$(systemctl is-enabled firn-test-masked.service)" >/dev/kmsg
      /run/current-system/bin/switch-to-configuration test >/dev/null 2>&1; echo "FIRN-TEST-SWITCH=\$?" >/dev/kmsg
      echo "FIRN-TEST-LATE-GENERATED=\$(find /run/systemd/generator.late -type f | wc -l)" >/dev/kmsg
      echo "FIRN-TEST-TMPFILES=\$(stat -c %a /var/lib/firn-test-tmpfiles)" >/dev/kmsg
      failed=\$(systemctl list-units --state=failed --no-legend --plain | awk '{ print \$1 }' | tr '\n' ' ')
      echo "FIRN-TEST-VERIFY=\$verify FIRN-TEST-FAILED-UNITS=\$(echo \$failed | wc -w) [\$failed]" >/dev/kmsg
      systemctl poweroff --no-block
    '';
  };
  # enable = false masks a unit (as in NixOS): this one would fail the boot.
  systemd.services.firn-test-masked = {
    enable = false;
    wantedBy = [ "multi-user.target" ];
    script = "exit 1";
  };
  systemd.tmpfiles.rules = [ "d /var/lib/firn-test-tmpfiles 0750 root root -" ];
}
NIX
cp "$examples/firn.lock" firn.lock 2>/dev/null || true

build_vm vm.nix "firn system build-vm builds examples/minimal.nix (with a marker service)"
vm=$(readlink result)
runner=$(resolve "$vm/bin/run-firn-vm")
system=$(readlink "$(real "$vm/system")")
check "the VM runner is there" test -f "$runner"
for part in kernel initrd init sw/usr/lib/systemd/systemd etc/hostname boot.json activation.json kernel-params; do
        check "the toplevel has $part" test -e "$(resolve "$system/$part")"
done

if [ -f "$runner" ]; then
        start=$(date +%s)
        # another VM may hold the default SSH port: take a free one
        port=$(free_port)
        FIRN_VM_SSH_PORT=$port FIRN_VM_DISK=$TEST_ROOT/firn.img timeout 600 bash "$runner" </dev/null >console.log 2>&1
        echo "# boot: $(( $(date +%s) - start )) s"
        check "the VM reached multi-user.target and ran the marker" grep -q 'FIRN-TEST-FAILED-UNITS=' console.log
        expect_eq "$(grep -a -o 'FIRN-TEST-FAILED-UNITS=[0-9]*' console.log | head -1)" "FIRN-TEST-FAILED-UNITS=0" "no unit failed"
        check "rendered units pass systemd-analyze verify" grep -q 'FIRN-TEST-VERIFY=ok' console.log
        grep -a -A8 'FIRN-TEST-VERIFY-OUTPUT' console.log | sed 's/^/    /'
        check "default.target is multi-user.target (systemctl get-default, the unit's id), not set on the kernel command line" \
                grep -q 'FIRN-TEST-DEFAULT=multi-user.target/multi-user.target/0' console.log
        check "systemd-sysusers is masked; dbus's messagebus and base-passwd's www-data come from the configuration" \
                grep -q 'FIRN-TEST-ACCOUNTS=masked/messagebus,www-data,' console.log
        check "enable = false masks a unit" grep -q 'FIRN-TEST-MASKED=masked' console.log
        check "the generation's bin/switch-to-configuration test finds its toplevel and activates" grep -q 'FIRN-TEST-SWITCH=0' console.log
        check "the SysV and rc.local generators are suppressed (nothing in generator.late)" grep -q 'FIRN-TEST-LATE-GENERATED=0' console.log
        check "systemd.tmpfiles.rules made its directory" grep -q 'FIRN-TEST-TMPFILES=750' console.log
        check "root is logged in on the serial console (services.getty.autologinUser)" grep -q 'root (automatic login)' console.log
        if ! grep -q 'FIRN-TEST-FAILED-UNITS=0' console.log; then tail -60 console.log | sed 's/^/    /'; fi
fi

# boot.initrd.emergencyShell: the initrd carries busybox-static as /bin/sh.
printf '{ ... }: { imports = [ %s/minimal.nix ]; boot.initrd.emergencyShell = true; }\n' "$examples" >shell.nix
initrd=$(firn build -E "(import <firn/eval-config.nix> { configuration = $TEST_ROOT/shell.nix; }).config.system.build.initrd" \
        --no-out-link 2>shell-build.log) || tail -5 shell-build.log | sed 's/^/    /'
expect_eq "$(zstd -dc "$(real "$initrd")" 2>/dev/null | cpio_names | grep -x -e bin/sh -e init | sort | tr '\n' ' ')" "bin/sh init " \
        "boot.initrd.emergencyShell = true puts /bin/sh (busybox-static) in the initrd"
check "... and the configuration file asks for the shell" sh -c "zstd -dc '$(real "$initrd")' | grep -a -q '^emergency-shell 1'"

# Configuration errors: the module system's message and nothing else.
bad() { printf '{ pkgs, ... }: { imports = [ %s/minimal.nix ]; %s }\n' "$examples" "$1" >bad.nix; firn system build -f bad.nix --no-out-link >bad.log 2>&1; }
bad 'networking.hostName = 3;'
check "a wrong type is refused with the option's name" grep -q "networking.hostName" bad.log
bad 'no.such.option = 1;'
check "an unknown option is refused" grep -q "The option .no' does not exist" bad.log
bad 'environment.systemPackages = [ pkgs.postfix pkgs.exim4-daemon-light ];'
check "packages that conflict are refused, both named" grep -q "packages postfix .* and exim4-daemon-light .* cannot be installed together" bad.log
bad 'assertions = [ { assertion = false; message = "firn-test-assertion"; } ];'
check "a failed assertion stops the build" grep -q "firn-test-assertion" bad.log
printf '{ pkgs, lib, ... }: { imports = [ %s/minimal.nix ]; fileSystems = lib.mkForce { }; }\n' "$examples" >bad.nix
firn system build -f bad.nix --no-out-link >bad.log 2>&1
check "no file system for / is an error" grep -q "no file system is mounted at" bad.log

finish
