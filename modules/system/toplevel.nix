# system.build.toplevel: one store path that is the whole system — kernel,
# initrd, stage 2 (`init`), the merged package tree (`sw`), /etc, the
# activation data, and the bootspec (boot.json). Stage 1 execs its `init`;
# activation links /run/current-system to it.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  build = config.system.build;

  activate = builtins.path { path = <firn-libexec/firn-activate>; name = "firn-activate"; };

  kernelParams = config.boot.kernelParams;

  activationData = {
    version = 1;
    defaultUnit = config.systemd.defaultUnit;
    inherit (build.accounts) users groups;
    # activation/stage-2/README.md describes this file.
    etc = lib.listToAttrs (map (e: lib.nameValuePair e.target { inherit (e) mode user group; })
      (lib.filter (e: e.mode != "symlink") build.etcEntries));
    wrappers = lib.mapAttrsToList (name: w: { inherit name; inherit (w) source owner group setuid setgid permissions; })
      config.security.wrappers;
  };

  toplevel = pkgs.linkFarm "firn-system-${config.networking.hostName}" [
    { name = "kernel"; path = build.kernel; }
    { name = "initrd"; path = build.initrd; }
    { name = "init"; path = activate; }
    { name = "activate"; path = activate; }
    { name = "bin/switch-to-configuration"; path = activate; }
    { name = "sw"; path = build.sw; }
    { name = "etc"; path = build.etc; }
    { name = "kernel-params"; path = pkgs.writeText "kernel-params" (lib.concatStringsSep " " kernelParams); }
    { name = "activation.json"; path = pkgs.writeText "activation.json" (builtins.toJSON activationData); }
    { name = "firn-version"; path = pkgs.writeText "firn-version" "${lib.trivial.version or "0.1.0"}\n"; }
    { name = "system"; path = pkgs.writeText "system" "x86_64-linux"; }
    { name = "boot.json"; path = bootspec; }
  ];

  # Bootspec v1 (RFC 0125). toplevel names the system itself, which a file
  # inside it cannot hold: it is the directory that holds boot.json.
  bootspec = pkgs.writeText "boot.json" (builtins.toJSON {
    "org.nixos.bootspec.v1" = {
      system = "x86_64-linux";
      init = "${placeholderToplevel}/init";
      initrd = "${build.initrd}";
      kernel = build.kernel;
      kernelParams = kernelParams;
      label = "firn ${config.networking.hostName}";
      toplevel = placeholderToplevel;
    };
  });
  placeholderToplevel = "/run/current-system";
in
{
  options = {
    security.wrappers = mkOption {
      type = types.attrsOf (types.submodule {
        options = {
          source = mkOption { type = types.str; description = "The program (an absolute path)."; };
          owner = mkOption { type = types.str; default = "root"; description = "Owner."; };
          group = mkOption { type = types.str; default = "root"; description = "Group."; };
          setuid = mkOption { type = types.bool; default = false; description = "Set the setuid bit."; };
          setgid = mkOption { type = types.bool; default = false; description = "Set the setgid bit."; };
          permissions = mkOption { type = types.str; default = "u+rx,g+x,o+x"; description = "Mode."; };
        };
      });
      default = { };
      description = "Programs copied to /run/wrappers/bin with a setuid/setgid bit (which the store cannot hold).";
    };
    system.build.toplevel = mkOption { type = types.package; internal = true; description = "The system."; };
  };

  config.system.build.toplevel = lib.checkAssertWarn config toplevel;
}
