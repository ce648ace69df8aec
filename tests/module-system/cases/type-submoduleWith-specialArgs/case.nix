{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.s = mkOption {
          type = types.submoduleWith {
            specialArgs = { greeting = "hi"; };
            modules = [ ({ greeting, ... }: { options.msg = mkOption { type = types.str; default = greeting; }; }) ];
          };
        };
      }
    { s = { }; }
  ];
}
