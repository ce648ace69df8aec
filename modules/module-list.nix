# Every module of a firn system, imported by each configuration.
[
  ./misc/assertions.nix
  ./system/pkgs.nix
  ./system/base.nix
  ./system/boot.nix
  ./system/environment.nix
  ./system/file-systems.nix
  ./system/systemd.nix
  ./system/journald.nix
  ./system/logind.nix
  ./services/getty.nix
  ./system/toplevel.nix
  ./system/users.nix
]
