# bench/boot.d/debian-root.sh: the Debian 12 root that bench/boot boots and
# bench/system measures, built once and cached. Sourced (bash), not run.
#
#   debian_root_prepare KERNEL_PKG KERNEL_VERSION
#       Builds (or reuses) $bench_cache/debian-root: `debootstrap
#       --variant=minbase bookworm` from the host's Debian mirror, then, in a
#       chroot, apt-get install --no-install-recommends systemd-sysv
#       initramfs-tools zstd KERNEL_PKG=KERNEL_VERSION (from bookworm,
#       -updates and -security: the kernel firn's lock pins is a security
#       update), which runs Debian's own maintainer scripts and so makes
#       Debian's own initramfs (zstd, initramfs-tools' Recommends, as a
#       default install has it: without it the initramfs falls back to
#       gzip). Adds the bench marker unit (enabled in multi-user.target),
#       an fstab for / on /dev/vda, a hostname, a machine id and a root login
#       without a password on the console. Sets debian_root, and
#       debian_root_bare_du (KiB, the root as debootstrap left it, measured
#       before the chroot installs; recorded in the cache).
#   debian_image_prepare
#       Builds (or reuses) $bench_cache/debian-root.img, an ext4 image of the
#       root made by mkfs.ext4 -d (no loop mount). Sets debian_image,
#       debian_kernel, debian_initrd.
#
# Needs root (debootstrap, chroot, mounts), debootstrap (apt-get install
# debootstrap), e2fsprogs, network access to the host's Debian mirror on
# the first run. The cache directory is $FIRN_BENCH_CACHE, else
# ~/.cache/firn-bench; remove it to start over. Each step leaves a stamp
# file, so an interrupted build resumes at the step it stopped at.

bench_cache=${FIRN_BENCH_CACHE:-${HOME:-/root}/.cache/firn-bench}

# The marker: a oneshot ordered after multi-user.target that writes the
# guest's uptime to /dev/kmsg (the kernel log reaches the serial console
# even while a getty holds it) and powers off. bench/boot waits for
# BENCH_MARKER_TAG on the console.
BENCH_MARKER_TAG=FIRN-BENCH-MARKER
bench_marker_script='echo "FIRN-BENCH-MARKER uptime=$(cut -d" " -f1 /proc/uptime)" >/dev/kmsg; systemctl poweroff --no-block'

debian_mirror() {
    # The first deb URI of the host's sources that serves bookworm.
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        uri=$(awk 'tolower($1) == "uris:" { u = $2 } tolower($1) == "suites:" && / bookworm( |$)/ && u { print u; exit }' "$f")
        [[ -n $uri ]] && { printf '%s\n' "$uri"; return 0; }
    done
    uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
    printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}
debian_security_mirror() {
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        uri=$(awk 'tolower($1) == "uris:" { u = $2 } tolower($1) == "suites:" && /bookworm-security/ && u { print u; exit }' "$f")
        [[ -n $uri ]] && { printf '%s\n' "$uri"; return 0; }
    done
    printf '%s\n' "http://deb.debian.org/debian-security"
}

# debian_du_kib ROOT [du options]: KiB in use under ROOT, on its file
# system, without /boot, /usr/lib/modules and the bench's stamp files
# (--exclude patterns are relative: ./var/cache/apt).
debian_du_kib() {
    local root=$1
    shift
    (cd "$root" && du -sx --block-size=1K --exclude=./boot --exclude=./usr/lib/modules \
        --exclude='./.bench-*' "$@" .) | cut -f1
}

_debian_log() { printf 'debian-root: %s\n' "$*" >&2; }

# Run a command in the chroot with /proc, /sys and /dev mounted (unmounted
# again however the command ends).
_debian_chroot() {
    local root=$1 rc
    shift
    mount -t proc proc "$root/proc" || return 1
    mount -t sysfs sysfs "$root/sys" || { umount "$root/proc"; return 1; }
    mount --bind /dev "$root/dev" || { umount "$root/sys" "$root/proc"; return 1; }
    mount --bind /dev/pts "$root/dev/pts" 2>/dev/null
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive chroot "$root" "$@"
    rc=$?
    umount "$root/dev/pts" 2>/dev/null
    umount "$root/dev" "$root/sys" "$root/proc"
    return $rc
}

debian_root_prepare() {
    local kpkg=$1 kver=$2 root=$bench_cache/debian-root mirror sec log
    debian_root=$root
    mkdir -p "$bench_cache" || return 1
    log=$bench_cache/debian-root.log
    if [[ ! -e $root/.bench-debootstrap-done ]]; then
        command -v debootstrap >/dev/null || { _debian_log "debootstrap is missing: apt-get install -y debootstrap"; return 1; }
        mirror=$(debian_mirror)
        _debian_log "debootstrap --variant=minbase bookworm $root $mirror (log: $log)"
        rm -rf -- "$root"
        if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$log" 2>&1; then
            _debian_log "debootstrap failed; the end of $log:"; tail -n 20 "$log" >&2; return 1
        fi
        # The bare minbase root, before anything is added.
        debian_du_kib "$root" >"$bench_cache/debian-root.bare-du"
        debian_du_kib "$root" --exclude=./var/cache/apt --exclude=./var/lib/apt/lists \
            >"$bench_cache/debian-root.bare-du-nocache"
        : >"$root/.bench-debootstrap-done"
    fi
    if [[ ! -e $root/.bench-install-done ]]; then
        mirror=$(debian_mirror) sec=$(debian_security_mirror)
        cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $sec bookworm-security main
EOF
        # No service starts in the chroot.
        printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
        chmod 755 "$root/usr/sbin/policy-rc.d"
        _debian_log "apt-get install systemd-sysv initramfs-tools zstd $kpkg=$kver in the chroot (log: $log)"
        if ! _debian_chroot "$root" apt-get update >>"$log" 2>&1 ||
            ! _debian_chroot "$root" apt-get install -y --no-install-recommends \
                systemd-sysv initramfs-tools zstd "$kpkg=$kver" >>"$log" 2>&1; then
            _debian_log "installing in the chroot failed; the end of $log:"; tail -n 20 "$log" >&2; return 1
        fi
        rm -f "$root/usr/sbin/policy-rc.d"
        : >"$root/.bench-install-done"
    fi
    if [[ ! -e $root/.bench-config-done ]]; then
        echo debian >"$root/etc/hostname"
        printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$root/etc/fstab"
        # A machine id, as an installed system has (an empty one would make
        # this a first boot).
        _debian_chroot "$root" systemd-machine-id-setup >>"$log" 2>&1
        # root without a password, as examples/minimal.nix has it.
        _debian_chroot "$root" passwd -d root >>"$log" 2>&1
        # (systemd expands $NAME in ExecStart: "$$" is a literal "$".)
        cat >"$root/etc/systemd/system/bench-marker.service" <<EOF
[Unit]
Description=bench: report the uptime at multi-user.target and power off
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/bin/sh -c '${bench_marker_script//\$/\$\$}'

[Install]
WantedBy=multi-user.target
EOF
        mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
        ln -sf ../bench-marker.service "$root/etc/systemd/system/multi-user.target.wants/bench-marker.service"
        : >"$root/.bench-config-done"
    fi
    debian_root_bare_du=$(cat "$bench_cache/debian-root.bare-du" 2>/dev/null)
    debian_root_bare_du_nocache=$(cat "$bench_cache/debian-root.bare-du-nocache" 2>/dev/null)
    return 0
}

debian_image_prepare() {
    local root=$bench_cache/debian-root img=$bench_cache/debian-root.img kb
    debian_image=$img
    debian_kernel=$(ls "$root"/boot/vmlinuz-* 2>/dev/null | head -n1)
    debian_initrd=$(ls "$root"/boot/initrd.img-* 2>/dev/null | head -n1)
    [[ -f $debian_kernel && -f $debian_initrd ]] || { _debian_log "no kernel or initrd in $root/boot"; return 1; }
    if [[ ! -e $img || $root/.bench-config-done -nt $img ]]; then
        kb=$(du -sx --block-size=1K "$root" | cut -f1)
        _debian_log "mkfs.ext4 -d $root $img ($(( kb / 1024 + 512 )) MiB)"
        rm -f -- "$img" "$img.tmp"
        truncate -s "$(( kb / 1024 + 512 ))M" "$img.tmp" &&
            mkfs.ext4 -q -F -L debian-root -d "$root" "$img.tmp" &&
            mv -- "$img.tmp" "$img" || { _debian_log "making the image failed"; return 1; }
    fi
    return 0
}
