# The kernel, its parameters and modules, and the initrd (firn's own static
# stage 1, packed by builtin:initrd with exactly the modules named here).
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.boot;

  # linux-image-amd64 is a metapackage: the image is the dependency named
  # linux-image-VERSION.
  imageName = pkg:
    let images = lib.filter (lib.hasPrefix "linux-image-") pkg.passthru.debian.depends;
    in if lib.hasPrefix "linux-image-" pkg.pname && images == [ ] then pkg.pname
       else if images == [ ] then throw "boot.kernelPackage ${pkg.pname}: no linux-image-* among its dependencies"
       else lib.head images;
  image = pkgs.${imageName cfg.kernelPackage};
  kernelVersion = lib.removePrefix "linux-image-" image.pname;

  fs = config.fileSystems;
  devSpec = f: if f.label != null then "LABEL=${f.label}" else f.device;
  options = f: lib.concatStringsSep "," f.options;
  bootMounts = lib.filter (f: f.neededForBoot && f.mountPoint != "/") (lib.attrValues fs);

  stage1Conf = ''
    ${if fs."/".fsType == "tmpfs" then "root none tmpfs ${options fs."/"}"
      else "root ${devSpec fs."/"} ${fs."/".fsType} ${options fs."/"}"}
    ${lib.concatMapStrings (f: "mount ${devSpec f} ${f.mountPoint} ${f.fsType} ${options f}\n") bootMounts}
    timeout ${toString cfg.initrd.rootTimeout}
    emergency-shell ${if cfg.initrd.emergencyShell then "1" else "0"}
  '';
in
{
  options.boot = {
    kernelPackage = mkOption {
      type = types.package;
      default = pkgs.linux-image-amd64;
      defaultText = lib.literalExpression "pkgs.linux-image-amd64";
      description = "The Debian kernel package (or a metapackage depending on one).";
    };
    kernelParams = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Parameters added to the kernel command line.";
    };
    kernelModules = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Modules systemd-modules-load loads at boot (the initrd does not have them).";
    };
    initrd.kernelModules = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Modules the initrd loads, with their dependencies.";
    };
    initrd.availableKernelModules = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = ''
        Modules the initrd carries and loads (with their dependencies) for
        the hardware the root file system needs.
      '';
    };
    initrd.rootTimeout = mkOption {
      type = types.ints.positive;
      default = 30;
      description = "Seconds stage 1 waits for the root device before giving up.";
    };
    initrd.emergencyShell = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether stage 1 starts a shell on failure (else it reboots after a
        delay). The initrd then carries busybox-static as /bin/sh (about
        2 MB); `firn.shell` on the kernel command line asks for the shell
        only when the initrd has it.
      '';
    };
  };

  options.system.build = {
    kernel = mkOption { type = types.str; internal = true; description = "The kernel image's path."; };
    initrd = mkOption { type = types.package; internal = true; description = "The initrd."; };
    kernelModulesTree = mkOption { type = types.package; internal = true; description = "lib/modules with modules.dep."; };
    stage1 = mkOption { type = types.package; internal = true; description = "firn's stage-1 init in the store."; };
  };

  config = {
    system.build.kernel = "${image}/boot/vmlinuz-${kernelVersion}";

    system.build.stage1 = builtins.path { path = <firn-libexec/firn-stage-1>; name = "firn-stage-1"; };

    system.build.initrd = derivation ({
      name = "initrd-${kernelVersion}";
      system = "builtin";
      builder = "builtin:initrd";
      init = config.system.build.stage1;
      kernelModules = image;
      modules = lib.concatStringsSep " " (lib.unique (cfg.initrd.kernelModules ++ cfg.initrd.availableKernelModules));
      conf = stage1Conf;
      compression = "zstd";
      preferLocalBuild = true;
    } // lib.optionalAttrs cfg.initrd.emergencyShell {
      # /bin/sh in the initrd: busybox's ash and applets, statically linked.
      shell = "${pkgs.busybox-static}/bin/busybox";
    });

    # The kernel package ships no modules.dep (Debian's postinst runs
    # depmod): a tree of links to its modules with depmod's files beside them.
    system.build.kernelModulesTree = pkgs.runCommand "kernel-modules-${kernelVersion}" { tools = [ pkgs.kmod ]; } ''
      mkdir -p $out/usr/lib/modules/${kernelVersion}
      cd ${image}/lib/modules/${kernelVersion}
      for e in *; do ln -s "$PWD/$e" "$out/usr/lib/modules/${kernelVersion}/$e"; done
      # depmod is a link to kmod that names it by argv[0]
      (exec -a depmod kmod -b $out/usr ${kernelVersion})
    '';

    environment.basePackages = [ config.system.build.kernelModulesTree ];

    environment.etc."modules-load.d/firn.conf".text = lib.concatMapStrings (m: "${m}\n") cfg.kernelModules;
  };
}
