# A small server in one file: a user who logs in with an SSH key and may
# use sudo, OpenSSH, nginx serving a page, a service run by a timer, a
# static /etc file, and a firewall that opens only SSH and HTTP.
#
# Try it in a VM (it boots, checks every service from inside and from the
# host, and powers off):
#   examples/server/check-vm
# or build and boot it by hand:
#   firn system build-vm -f examples/server.nix && FIRN_VM_FORWARDS=tcp:8080-:80 ./result/bin/run-server-vm
#
# server/demo-key is a throwaway key pair for this example; never let it
# log in anywhere else.
{ config, pkgs, lib, ... }:
{
  networking.hostName = "server";
  networking.domain = "example.org";
  networking.useDHCP = true;
  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 80 ];  # 22 is opened by services.openssh
  };

  # Where this machine's root is (the VM profile of build-vm replaces it).
  fileSystems."/" = { device = "/dev/disk/by-label/server-root"; fsType = "ext4"; };
  boot.initrd.availableKernelModules = [ "virtio_pci" "virtio_blk" "ext4" ];
  boot.kernelParams = [ "console=ttyS0" ];

  time.timeZone = "Europe/Berlin";
  i18n.defaultLocale = "en_US.UTF-8";
  console.keyMap = "us";

  users.users.alice = {
    isNormalUser = true;
    description = "Alice the administrator";
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keyFiles = [ ./server/demo-key.pub ];
  };
  security.sudo.wheelNeedsPassword = false;

  services.openssh = {
    enable = true;
    settings = {
      PasswordAuthentication = false;
      PermitRootLogin = "no";
    };
  };

  services.nginx = {
    enable = true;
    virtualHosts."server.example.org" = {
      default = true;
      root = ./server/www;
      locations."/status".return = "200 'nginx on firn\\n'";
    };
  };

  # Every minute, note the time and load in /var/lib/heartbeat/last.
  systemd.services.heartbeat = {
    description = "Record a heartbeat";
    serviceConfig = {
      Type = "oneshot";
      StateDirectory = "heartbeat";
    };
    script = ''
      echo "$(date --iso-8601=seconds) $(cut -d' ' -f1-3 /proc/loadavg)" >/var/lib/heartbeat/last
    '';
  };
  systemd.timers.heartbeat = {
    wantedBy = [ "timers.target" ];
    timerConfig = {
      OnBootSec = "5s";
      OnUnitActiveSec = "1min";
    };
  };

  environment.etc."motd".text = ''
    Welcome to ${config.networking.hostName}, a firn system.
  '';
  environment.systemPackages = with pkgs; [ curl less vim-tiny ];

  system.stateVersion = "1";
}
