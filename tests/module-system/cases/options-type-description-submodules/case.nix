{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
      options.submodule = mkOption { type = types.submodule { }; };
      options.attrsOfSubmodule = mkOption { type = types.attrsOf (types.submodule { }); };
      options.listOfSubmodule = mkOption { type = types.listOf (types.submodule { }); };
      options.nullOrSubmodule = mkOption { type = types.nullOr (types.submodule { }); };
      options.deferredModule = mkOption { type = types.deferredModule; };
    }
  ];
  check = r: builtins.mapAttrs (n: o: o.type.description) (builtins.removeAttrs r.options [ "_module" ]);
}
