# `pkgs`, the Debian package set every module receives, pinned by the lock
# file beside the configuration (firn.lock), as <firn/pkgs> reads it.
{ config, lib, firnConfigurationDir ? null, ... }:
{
  options.firn.lockFile = lib.mkOption {
    type = lib.types.nullOr lib.types.str;
    default = if firnConfigurationDir == null then null else "${firnConfigurationDir}/firn.lock";
    defaultText = "firn.lock beside the configuration";
    description = ''
      The lock file that pins the Debian packages of this system. Packages
      it lacks are resolved against apt's index and added to it by
      `firn system build` (unless `--locked`).
    '';
  };

  config._module.args.pkgs = import <firn/pkgs> { lock = config.firn.lockFile; };
}
