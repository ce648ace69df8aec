# The smallest firn system: boots to multi-user.target with root logged
# in on the serial console. Build and boot it in a VM:
#   firn system build-vm -f examples/minimal.nix && ./result/bin/run-firn-vm
{ config, pkgs, lib, ... }:
{
  networking.hostName = "firn";

  # The VM profile (build-vm) sets these for itself; a real machine says
  # where its root is.
  fileSystems."/" = { device = "/dev/vda"; fsType = "ext4"; };
  boot.initrd.availableKernelModules = [ "virtio_pci" "virtio_blk" "ext4" ];
  boot.kernelParams = [ "console=ttyS0" ];

  users.users.root.hashedPassword = "";
  services.getty.autologinUser = "root";

  environment.systemPackages = [ pkgs.hello ];

  system.stateVersion = "1";
}
