# A small machine description in the shape of a NixOS configuration.
#
# It uses only the language and pure builtins (no store, no nixpkgs), so
# `firn eval --strict --json examples/configuration.nix` prints the whole
# evaluated configuration as JSON.  The module system and Debian packages
# will later turn the same kind of file into a bootable system.
let
  # --- a few lib-like helpers, defined inline -------------------------------
  lib = rec {
    mapAttrsToList = f: attrs: map (n: f n attrs.${n}) (builtins.attrNames attrs);
    filterAttrs = pred: attrs:
      builtins.listToAttrs (builtins.concatMap
        (n: if pred n attrs.${n} then [ { name = n; value = attrs.${n}; } ] else [ ])
        (builtins.attrNames attrs));
    optional = cond: x: if cond then [ x ] else [ ];
    optionals = cond: xs: if cond then xs else [ ];
    concatLines = lines: builtins.concatStringsSep "\n" lines + "\n";
    # Like lib.recursiveUpdate: the right side wins, nested sets merge.
    recursiveUpdate = lhs: rhs:
      lhs // builtins.mapAttrs
        (n: v:
          if builtins.isAttrs v && builtins.isAttrs (lhs.${n} or null)
          then recursiveUpdate lhs.${n} v
          else v)
        rhs;
    unique = builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];
  };

  # --- what the administrator writes ----------------------------------------
  settings = {
    networking.hostName = "firn-demo";
    time.timeZone = "Europe/Berlin";

    users = {
      alice = { description = "Alice"; groups = [ "wheel" "video" ]; shell = "/bin/bash"; };
      bob = { description = "Bob"; groups = [ "users" ]; };
    };

    services = {
      openssh = { enable = true; port = 22; passwordAuthentication = false; };
      nginx = {
        enable = true;
        virtualHosts = {
          "example.org" = { root = "/srv/www/example"; tls = true; };
          "intranet.example.org" = { root = "/srv/www/intranet"; tls = false; };
        };
      };
      postgresql.enable = false;
    };

    packages = [ "vim" "git" "htop" "curl" "git" ];
  };

  # --- what the "modules" compute from it -----------------------------------
  defaults = {
    boot.loader = { type = "systemd-boot"; timeout = 3; };
    fileSystems."/" = { device = "/dev/disk/by-label/root"; fsType = "ext4"; };
    networking.firewall.enable = true;
  };

  cfg = lib.recursiveUpdate defaults settings;
  enabledServices = lib.filterAttrs (_: s: s.enable or false) cfg.services;
  nginx = cfg.services.nginx;

  userList = builtins.genList (i:
    let name = builtins.elemAt (builtins.attrNames cfg.users) i;
    in { inherit name; uid = 1000 + i; } // cfg.users.${name})
    (builtins.length (builtins.attrNames cfg.users));
in
{
  inherit (cfg) boot fileSystems time;

  networking = {
    inherit (cfg.networking) hostName;
    firewall = {
      inherit (cfg.networking.firewall) enable;
      allowedTCPPorts = builtins.sort builtins.lessThan (
        lib.optional (enabledServices ? openssh) cfg.services.openssh.port
        ++ lib.optionals (enabledServices ? nginx) [ 80 443 ]);
    };
  };

  users = map (u: {
    inherit (u) name uid;
    home = "/home/${u.name}";
    shell = u.shell or "/bin/sh";
    extraGroups = u.groups;
    isAdmin = builtins.elem "wheel" u.groups;
  }) userList;

  systemd.services = builtins.mapAttrs (name: s: {
    wantedBy = [ "multi-user.target" ];
    description = "${name} service";
  }) enabledServices;

  environment = {
    systemPackages = lib.unique cfg.packages;
    etc = {
      hostname.text = cfg.networking.hostName + "\n";
      hosts.text = lib.concatLines ([ "127.0.0.1 localhost" "127.0.1.1 ${cfg.networking.hostName}" ]
        ++ lib.mapAttrsToList (host: _: "127.0.0.1 ${host}") nginx.virtualHosts);
      "ssh/sshd_config".text = lib.concatLines [
        "Port ${toString cfg.services.openssh.port}"
        "PasswordAuthentication ${if cfg.services.openssh.passwordAuthentication then "yes" else "no"}"
      ];
      "nginx/nginx.conf".text = lib.concatLines (lib.mapAttrsToList (host: vh: ''
        server {
          listen ${if vh.tls then "443 ssl" else "80"};
          server_name ${host};
          root ${vh.root};
        }'') nginx.virtualHosts);
    };
  };
}
