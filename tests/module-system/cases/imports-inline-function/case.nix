{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        imports = [
          ({ lib, ... }: { options.fromFn = lib.mkOption { type = lib.types.str; default = "fn"; }; })
          { options.fromSet = mkOption { type = types.str; default = "set"; }; }
        ];
        fromSet = "defined";
      }
  ];
}
