#!/bin/bash
# The environment and locale modules (environment.*, programs.bash, time,
# i18n, console): the files they render, the locale archive they compile,
# the build errors of bad names, then one VM of examples/minimal.nix with
# these settings, whose marker service runs a login shell for root and
# reports what it sees (time zone, locale errors, a variable, an alias,
# PATH, a PAM session variable, failed units) to /dev/kmsg.
. "$(dirname "$0")/../integration/test-lib.sh"
examples=${FIRN_EXAMPLES:-$(cd "$(dirname "$0")/../../examples" && pwd)}
cp "$examples/firn.lock" firn.lock 2>/dev/null || true

cat >settings.nix <<'NIX'
{ pkgs, lib, ... }:
{
  time.timeZone = "Europe/Berlin";
  i18n.defaultLocale = "de_DE.UTF-8";
  i18n.extraLocaleSettings.LC_TIME = "en_GB.UTF-8";
  environment.variables = { FIRN_TEST_VAR = "hello world"; FIRN_TEST_LIST = [ "/a" "/b" ]; };
  environment.sessionVariables.FIRN_TEST_SESSION = "$HOME/session";
  environment.shellAliases = { firnalias = "echo alias-works"; l = null; };
  programs.bash.loginShellInit = "export FIRN_TEST_LOGIN_INIT=yes";
  environment.shells = [ "/usr/bin/zsh" ];
}
NIX

cat >vm.nix <<NIX
{ pkgs, lib, ... }:
{
  imports = [ $examples/minimal.nix ./settings.nix ];
  systemd.services.firn-test-marker = {
    description = "Report the login environment to the console, then power off";
    wantedBy = [ "multi-user.target" ];
    after = [ "multi-user.target" ];
    environment.HOME = "/root";
    serviceConfig.Type = "oneshot";
    script = builtins.readFile ./marker.sh;
  };
}
NIX
# What the marker service runs: an interactive login bash (Debian's
# /etc/profile, /etc/bash.bashrc, /etc/profile.d) and a PAM session (su,
# pam_env), reported one line each; the kernel's log reaches the serial
# console even while getty holds it.
cat >marker.sh <<'SH'
report() { echo "FIRN-ENV $*" >/dev/kmsg; }
cd /root
out=$(bash -lic '
  echo "TZ=$(date +%Z)"
  echo "LOCALE-ERRORS=$(locale 2>&1 >/dev/null | wc -l)"
  echo "LANG=$LANG LC_TIME=$LC_TIME"
  echo "VAR=$FIRN_TEST_VAR|$FIRN_TEST_LIST"
  echo "ALIAS=$(firnalias)"
  echo "PATH=$PATH"
  echo "LOGIN-INIT=$FIRN_TEST_LOGIN_INIT"
  echo "MONTH=$(LC_ALL=de_DE.UTF-8 date -d 2024-03-01 +%B)"
' </dev/null 2>/dev/null)
printf '%s\n' "$out" | while IFS= read -r line; do report "$line"; done
report "PAM=$(env -i /usr/bin/su root -s /bin/sh -c '/usr/bin/printenv FIRN_TEST_SESSION')"
report "VCONSOLE=$(systemctl show -p Result --value systemd-vconsole-setup.service)"
report "VCONSOLE-STATE=$(systemctl show -p ActiveState,ExecMainStatus,ConditionResult systemd-vconsole-setup.service | tr '\n' ' ')"
failed=$(systemctl list-units --state=failed --no-legend --plain | awk '{ print $1 }' | tr '\n' ' ')
report "FAILED-UNITS=$(echo $failed | wc -w) [$failed]"
systemctl poweroff --no-block
SH

build_vm vm.nix "firn system build-vm builds examples/minimal.nix with the environment settings"

vm=$(readlink result)
system=$(readlink "$(real "$vm/system")")
etc=$system/etc
file() { cat "$(resolve "$etc/$1")" 2>/dev/null; }

# ---- rendered files ----
expect_eq "$(file locale.conf)" $'LANG=de_DE.UTF-8\nLC_TIME=en_GB.UTF-8' "/etc/locale.conf has LANG and the extra settings"
expect_eq "$(file default/locale)" "$(file locale.conf)" "/etc/default/locale says the same (pam_env's envfile)"
expect_eq "$(file vconsole.conf)" "KEYMAP=us" "/etc/vconsole.conf has the default keymap"
expect_eq "$(file timezone)" "Europe/Berlin" "/etc/timezone names the zone"
expect_eq "$(readlink "$(resolve "$etc")/localtime")" /usr/share/zoneinfo/Europe/Berlin \
        "/etc/localtime links straight to the zone (timedatectl reads its name from the link)"
check "... with mode direct-symlink in activation.json" \
        grep -q '"localtime":{[^}]*"mode":"direct-symlink"' "$(resolve "$system/activation.json")"
check "... and sw has the zone, a TZif file" test "$(head -c 4 "$(resolve "$system/sw/usr/share/zoneinfo/Europe/Berlin")")" = TZif
check "/etc/profile is Debian's" grep -q 'for i in /etc/profile.d/\*.sh' "$(resolve "$etc/profile")"
check "the profile.d script sources /etc/set-environment" grep -qx '. /etc/set-environment' "$(resolve "$etc/profile.d/firn-environment.sh")"
check "the profile.d script has programs.bash.loginShellInit" grep -q 'FIRN_TEST_LOGIN_INIT=yes' "$(resolve "$etc/profile.d/firn-environment.sh")"
setenv=$(resolve "$etc/set-environment")
check "set-environment exports a variable" grep -qx 'export FIRN_TEST_VAR="hello world"' "$setenv"
check "set-environment joins a list with :" grep -qx 'export FIRN_TEST_LIST="/a:/b"' "$setenv"
check "set-environment exports the session variables too" grep -qx 'export FIRN_TEST_SESSION="$HOME/session"' "$setenv"
expect_eq "$(env -i PATH=/usr/bin:/bin sh -c ". '$setenv'; . '$setenv'; echo \$PATH")" "/run/wrappers/bin:/usr/bin:/bin" \
        "set-environment puts /run/wrappers/bin first, once"
check "pam_env.conf has the session variable, \$HOME as @{HOME}" grep -qx 'FIRN_TEST_SESSION DEFAULT="@{HOME}/session"' "$(resolve "$etc/security/pam_env.conf")"
check "libpam-modules' /etc/security files are still there" test -f "$(resolve "$etc/security/limits.conf")"
bashrc=$(resolve "$etc/bash.bashrc")
check "/etc/bash.bashrc is Debian's" grep -q 'debian_chroot' "$bashrc"
check "/etc/bash.bashrc has the alias" grep -qx "alias -- firnalias='echo alias-works'" "$bashrc"
expect_fail "an alias set to null is left out" grep -q "alias -- l=" "$bashrc"
check "bash-completion is loaded by interactive bash" grep -q 'bash-completion/bash_completion' "$bashrc"
shells=$(file shells)
check "/etc/shells lists bash under /bin and /usr/bin" sh -c 'echo "$1" | grep -qx /bin/bash && echo "$1" | grep -qx /usr/bin/bash' - "$shells"
check "/etc/shells lists environment.shells" sh -c 'echo "$1" | grep -qx /usr/bin/zsh' - "$shells"
check "tzdata, kbd and console-data are in the system" test -f "$(resolve "$system/sw/usr/share/keymaps/i386/qwerty/us.kmap.gz")" -a -x "$(resolve "$system/sw/usr/bin/loadkeys")"

# ---- the locale archive ----
archive=$(resolve "$system/sw/usr/lib/locale/locale-archive")
check "the system has a locale archive at /usr/lib/locale/locale-archive" test -f "$archive"
if command -v localedef >/dev/null; then
        mkdir -p la/usr/lib/locale && cp "$archive" la/usr/lib/locale/
        expect_eq "$(localedef --prefix="$TEST_ROOT/la" --list-archive | sort | tr '\n' ' ')" "C.utf8 de_DE.utf8 en_GB.utf8 en_US.utf8 " \
                "the archive has C.UTF-8, en_US, the default locale and LC_TIME's"
fi

# ---- defaults and the other options (evaluation only; c is config) ----
ev() { printf '{ pkgs, lib, ... }: { imports = [ %s/minimal.nix ]; %s }\n' "$examples" "$1" >ev.nix
       firn eval --strict -E "let c = (import <firn/eval-config.nix> { configuration = ./ev.nix; }).config; in $2" 2>&1; }
hasPkg='builtins.any (p: (p.passthru.debian.name or "") == "bash-completion") c.environment.systemPackages'
expect_eq "$(ev '' 'c.i18n.supportedLocales')" '[ "C.UTF-8/UTF-8" "en_US.UTF-8/UTF-8" ]' "by default the archive has C.UTF-8 and en_US.UTF-8"
expect_eq "$(ev '' 'c.environment.etc."locale.conf".text')" '"LANG=en_US.UTF-8\n"' "by default LANG is en_US.UTF-8"
expect_eq "$(ev '' 'c.environment.etc ? localtime')" "false" "time.timeZone = null: no /etc/localtime (UTC)"
expect_eq "$(ev 'time.hardwareClockInLocalTime = true;' 'c.environment.etc.adjtime.text')" '"0.0 0 0.0\n0\nLOCAL\n"' "hardwareClockInLocalTime writes LOCAL to /etc/adjtime"
expect_eq "$(ev 'console.enable = false;' 'builtins.elem "systemd-vconsole-setup.service" c.systemd.maskedUnits')" true "console.enable = false masks systemd-vconsole-setup"
expect_eq "$(ev '' 'builtins.elem "systemd-vconsole-setup.service" c.systemd.maskedUnits')" false "... and by default it is not masked"
expect_eq "$(ev '' "$hasPkg")" "true" "bash-completion is in the system by default"
expect_eq "$(ev 'programs.bash.completion.enable = false;' "$hasPkg")" "false" "programs.bash.completion.enable = false leaves it out"
expect_eq "$(ev 'i18n.supportedLocales = [ ];' 'builtins.elem c.i18n.glibcLocales.outPath (map (p: p.outPath) c.environment.systemPackages)')" "false" "i18n.supportedLocales = [ ]: no locale archive"

# ---- bad names fail the build, naming the option ----
bad() { printf '{ pkgs, ... }: { imports = [ %s/minimal.nix ]; %s }\n' "$examples" "$1" >bad.nix; firn system build -f bad.nix --no-out-link -j 2 >bad.log 2>&1; }
bad 'time.timeZone = "Mars/Olympus";'
check "an unknown time zone fails the build, naming time.timeZone" grep -q "time.timeZone: unknown time zone 'Mars/Olympus'" bad.log
bad 'time.timeZone = "Europe/../../../etc/passwd";'
check "a time zone outside zoneinfo is refused" grep -q "time.timeZone: unknown time zone" bad.log
bad 'time.timeZone = "Europe/Ber lin";'
check "a time zone with a space is refused by its type" grep -q "time.timeZone" bad.log
bad 'i18n.defaultLocale = "xx_YY.UTF-8";'
check "an unknown locale fails the build, naming i18n.supportedLocales" grep -q "i18n.supportedLocales: unknown locale 'xx_YY.UTF-8'" bad.log
bad 'console.keyMap = "no-such-map";'
check "an unknown keymap fails the build, naming console.keyMap" grep -q "console.keyMap: no keymap 'no-such-map'" bad.log

# ---- the VM ----
runner=$(resolve "$vm/bin/run-firn-vm")
if [ -f "$runner" ]; then
        start=$(date +%s)
        FIRN_VM_DISK=$TEST_ROOT/firn.img timeout 600 bash "$runner" </dev/null >console.log 2>&1
        echo "# boot: $(( $(date +%s) - start )) s"
        tr -d '\r' <console.log | grep -a -o 'FIRN-ENV .*' | sed 's/^FIRN-ENV //' >report.txt
        got() { grep -a "^$1=" report.txt | head -1 | cut -d= -f2-; }
        check "the VM ran the marker" grep -q '^FAILED-UNITS=' report.txt
        check "date +%Z in a login shell is Europe/Berlin's (CET or CEST)" sh -c 'case "$1" in CET|CEST) ;; *) echo "got: $1"; exit 1 ;; esac' - "$(got TZ)"
        expect_eq "$(got LOCALE-ERRORS)" "0" "locale prints no errors in a login shell"
        expect_eq "$(got LANG)" "de_DE.UTF-8 LC_TIME=en_GB.UTF-8" "LANG and LC_TIME in a login shell"
        expect_eq "$(got MONTH)" "März" "the de_DE locale works (date's month name)"
        expect_eq "$(got VAR)" "hello world|/a:/b" "environment.variables in a login shell"
        expect_eq "$(got ALIAS)" "alias-works" "environment.shellAliases in an interactive shell"
        check "PATH starts with /run/wrappers/bin, then Debian's" sh -c '[ "$1" = "/run/wrappers/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ]' - "$(got PATH)"
        expect_eq "$(got LOGIN-INIT)" "yes" "programs.bash.loginShellInit runs in a login shell"
        expect_eq "$(got PAM)" "/root/session" "environment.sessionVariables through PAM (su, pam_env), \$HOME expanded"
        expect_eq "$(got VCONSOLE)" "success" "systemd-vconsole-setup did not fail"
        echo "# systemd-vconsole-setup: $(got VCONSOLE-STATE)"
        expect_eq "$(got FAILED-UNITS | cut -d' ' -f1)" "0" "no unit failed"
        if ! grep -q '^FAILED-UNITS=0' report.txt; then cat report.txt; tail -40 console.log | sed 's/^/    /'; fi
fi

finish
