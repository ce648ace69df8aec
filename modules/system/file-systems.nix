# fileSystems: what is mounted where. Stage 1 mounts "/" and every file
# system marked neededForBoot (the VM's 9p store); systemd mounts the rest
# from the generated /etc/fstab.
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  fsModule = types.submodule ({ name, ... }: {
    options = {
      mountPoint = mkOption { type = types.str; default = name; description = "Where it is mounted."; };
      device = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "/dev/vda";
        description = "The device (or source, e.g. a 9p mount tag).";
      };
      label = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The file system's label (instead of `device`).";
      };
      fsType = mkOption { type = types.str; default = "auto"; description = "The file system type."; };
      options = mkOption {
        type = types.listOf types.str;
        default = [ "defaults" ];
        description = "Mount options.";
      };
      neededForBoot = mkOption {
        type = types.bool;
        default = false;
        description = "Whether stage 1 mounts it (before switching to the root).";
      };
    };
  });
  fstabLine = f:
    "${if f.label != null then "LABEL=${f.label}" else f.device} ${f.mountPoint} ${f.fsType} ${lib.concatStringsSep "," f.options} 0 0\n";
  late = lib.filter (f: f.mountPoint != "/" && !f.neededForBoot) (lib.attrValues config.fileSystems);
in
{
  options.fileSystems = mkOption {
    type = types.attrsOf fsModule;
    default = { };
    example = lib.literalExpression ''{ "/" = { device = "/dev/vda"; fsType = "ext4"; }; }'';
    description = "The file systems of the system, by mount point.";
  };

  config = {
    assertions = [
      { assertion = config.fileSystems ? "/"; message = "no file system is mounted at `/': set fileSystems.\"/\""; }
    ] ++ map (f: {
      assertion = f.device != null || f.label != null || f.fsType == "tmpfs";
      message = "fileSystems.\"${f.mountPoint}\" needs a device or a label";
    }) (lib.attrValues config.fileSystems);

    environment.etc.fstab.text = "# made by firn from fileSystems\n" + lib.concatMapStrings fstabLine late;
  };
}
