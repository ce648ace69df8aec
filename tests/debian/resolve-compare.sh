#!/bin/bash
# firn's resolution (firn pkgs resolve NAME) against apt's: `apt-get install
# --simulate --no-install-recommends` with an empty dpkg status, so apt
# installs the whole dependency set as firn resolves it. For each package
# (or comma-separated roots: one command line, as apt takes several)
# the two sets must be equal, except for the differences listed in
# resolve-differences.txt ("NAME: +PKG -PKG  reason": + only firn has it,
# - only apt has it; a named choice among alternatives). Without apt's
# lists the test fails: the index is part of the machine's setup.
set -u
firn=$1
here=$(cd "$(dirname "$0")" && pwd)
packages="systemd openssh-server nginx python3 linux-image-amd64 apache2 postgresql bash coreutils
util-linux udev dbus network-manager sudo vim curl wget git gcc make perl cron rsyslog iproute2
isc-dhcp-client ifupdown kmod procps login passwd xserver-xorg-core libreoffice-core emacs-nox
bsd-mailx mutt 389-ds exim4 postfix default-jdk-headless php qemu-system-x86 docker.io
apache2,sysvinit-utils openssh-server,nginx,python3,vim,sudo"

if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
        echo "apt's lists are missing (run apt-get update)"
        echo "0 passed, 1 failed"
        exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
for p in $packages; do
        roots=${p//,/ }
        # shellcheck disable=SC2086 # roots are words
        apt-get install --simulate --no-install-recommends -o Dir::State::status=/dev/null $roots 2>/dev/null |
                awk '/^Inst /{ print $2 }' | sort >"$tmp/apt"
        if [ ! -s "$tmp/apt" ]; then
                echo "not ok - $p: apt resolves nothing"
                failed=$((failed + 1))
                continue
        fi
        # shellcheck disable=SC2086
        if ! "$firn" pkgs resolve $roots >"$tmp/firn.out" 2>&1; then
                echo "not ok - $p: firn fails: $(head -3 "$tmp/firn.out")"
                failed=$((failed + 1))
                continue
        fi
        awk '{ print $1 }' "$tmp/firn.out" | sort >"$tmp/firn"
        diff=$( (comm -13 "$tmp/apt" "$tmp/firn" | sed 's/^/+/'; comm -23 "$tmp/apt" "$tmp/firn" | sed 's/^/-/') |
                LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
        allowed=$(awk -v p="$p:" '$1 == p { $1 = ""; sub(/^ /, ""); sub(/  .*/, ""); print }' \
                "$here/resolve-differences.txt" 2>/dev/null)
        if [ "$diff" = "$allowed" ]; then
                echo "ok - $p: $(wc -l <"$tmp/firn") packages${diff:+ (listed differences: $diff)}"
                passed=$((passed + 1))
        else
                echo "not ok - $p: differences from apt: ${diff:-none} (listed: ${allowed:-none})"
                failed=$((failed + 1))
        fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
