# The VM profile `firn system build-vm` adds (as nixos-rebuild build-vm
# does): the root is a disk image beside the script, the store is the
# host's, shared read-only over 9p, the console is the serial line, and
# system.build.vm is bin/run-HOSTNAME-vm, which boots it in QEMU.
#
# The script: TCG unless FIRN_VM_ACCEL=kvm; -cpu max and virtio-rng (no
# entropy stall); memory FIRN_VM_MEMORY (MiB, default 1024), FIRN_VM_CPUS
# (default 2); user-mode networking with restrict=on (the guest reaches
# nothing outside), SSH forwarded from host port FIRN_VM_SSH_PORT (default
# 2222) and FIRN_VM_FORWARDS more ("tcp:8080-:80,tcp:8443-:443");
# FIRN_VM_QEMU_OPTS appended. The disk, HOSTNAME.img in the working
# directory (FIRN_VM_DISK overrides), is created on first run with
# qemu-img and mkfs.ext4 from the store. The store shared is
# $FIRN_STORE/nix/store (the store the system was built in).
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.virtualisation;
  build = config.system.build;
  host = config.networking.hostName;

  # Runs a Debian program from the store on the host with the store's own
  # loader and libraries (the host's may differ).
  hostTool = pkg: bin:
    let
      closure = pkgs.debianClosure [ pkg ];
      libDirs = lib.concatMap (p: [ "$S${p}/lib/x86_64-linux-gnu" "$S${p}/usr/lib/x86_64-linux-gnu" ]) closure;
    in "$S${pkgs.libc6}/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path ${lib.concatStringsSep ":" libDirs} $S${pkg}/${bin}";

  runScript = pkgs.writeShellScriptBin "run-${host}-vm" ''
    set -eu
    # The store's real location on this host (FIRN_STORE: a store root).
    S=''${FIRN_STORE:-}
    toplevel=${build.toplevel}
    real() { local t; t=$(readlink "$S$1") || t=$1; case $t in /*) echo "$S$t" ;; *) echo "$S$1" ;; esac; }
    disk=''${FIRN_VM_DISK:-./${host}.img}
    if [ ! -e "$disk" ]; then
      echo "creating $disk (${toString cfg.diskSize} MiB)" >&2
      ${hostTool pkgs.qemu-utils "usr/bin/qemu-img"} create -q -f raw "$disk.tmp" ${toString cfg.diskSize}M
      # Inode tables and journal zeroed now, on the host: else the guest's
      # first boot shares the disk with ext4lazyinit doing it.
      ${hostTool pkgs.e2fsprogs "sbin/mkfs.ext4"} -q -F -E lazy_itable_init=0,lazy_journal_init=0 -L ${cfg.rootLabel} "$disk.tmp"
      mv "$disk.tmp" "$disk"
    fi
    store=$S/nix/store
    accel=tcg
    if [ "''${FIRN_VM_ACCEL:-}" = kvm ]; then accel=kvm; fi
    forwards="hostfwd=tcp::''${FIRN_VM_SSH_PORT:-2222}-:22"
    for f in $(echo "''${FIRN_VM_FORWARDS:-}" | tr ',' ' '); do
      proto=''${f%%:*}; rest=''${f#*:}
      forwards="$forwards,hostfwd=$proto::$rest"
    done
    exec ''${FIRN_VM_QEMU:-qemu-system-x86_64} -accel "$accel" -cpu max \
      -m "''${FIRN_VM_MEMORY:-1024}" -smp "''${FIRN_VM_CPUS:-2}" \
      -nographic -no-reboot -device virtio-rng-pci \
      -kernel "$(real "$toplevel/kernel")" -initrd "$(real "$toplevel/initrd")" \
      -append "$(cat "$(real "$toplevel/kernel-params")") init=$toplevel/init" \
      -virtfs "local,path=$store,mount_tag=store,security_model=none,readonly=on" \
      -drive "file=$disk,if=virtio,format=raw" \
      -netdev "user,id=net0,restrict=on,$forwards" -device virtio-net-pci,netdev=net0 \
      ''${FIRN_VM_QEMU_OPTS:-}
  '';
in
{
  options.virtualisation = {
    diskSize = mkOption { type = types.ints.positive; default = 1024; description = "Size of the VM's disk in MiB."; };
    rootLabel = mkOption { type = types.str; default = "firn-vm-root"; description = "Label of the VM's root file system."; };
  };
  options.system.build.vm = mkOption { type = types.package; internal = true; description = "The VM runner."; };

  config = {
    fileSystems = lib.mkOverride 10 {
      "/" = { label = cfg.rootLabel; fsType = "ext4"; options = [ "rw" ]; };
      "/nix/store" = {
        device = "store";
        fsType = "9p";
        options = [ "trans=virtio" "version=9p2000.L" "msize=512000" "cache=loose" "ro" ];
        neededForBoot = true;
      };
    };
    boot.initrd.availableKernelModules = [
      "virtio_pci" "virtio_blk" "virtio_net" "virtio_rng" "9p" "9pnet_virtio" "ext4" "crc32c_generic"
    ];
    boot.kernelParams = [ "console=ttyS0" "systemd.gpt_auto=0" ];
    system.build.vm = pkgs.linkFarm "run-${host}-vm" [
      { name = "bin/run-${host}-vm"; path = "${runScript}/bin/run-${host}-vm"; }
      { name = "system"; path = build.toplevel; }
    ];
  };
}
