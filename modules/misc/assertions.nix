# `assertions` and `warnings`: what a module reports about a configuration.
# The system's toplevel checks them (lib.checkAssertWarn); a failed assertion
# stops the build with every failed message listed.
{ lib, ... }:
{
  options = {
    assertions = lib.mkOption {
      type = lib.types.listOf lib.types.unspecified;
      internal = true;
      default = [ ];
      example = [ { assertion = false; message = "you can't enable this for that reason"; } ];
      description = ''
        Conditions that must hold in this configuration, each a set with an
        `assertion` (a boolean) and a `message` printed when it is false.
      '';
    };
    warnings = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      internal = true;
      default = [ ];
      example = [ "the option `foo' is deprecated" ];
      description = "Messages printed as warnings when the system is built.";
    };
  };
}
