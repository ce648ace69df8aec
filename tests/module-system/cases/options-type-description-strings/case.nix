{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
      options.nonEmptyStr = mkOption { type = types.nonEmptyStr; };
      options.singleLineStr = mkOption { type = types.singleLineStr; };
      options.strMatching = mkOption { type = types.strMatching "[a-z]+"; };
      options.lines = mkOption { type = types.lines; };
      options.commas = mkOption { type = types.commas; };
      options.envVar = mkOption { type = types.envVar; };
      options.pipe = mkOption { type = types.separatedString "|"; };
    }
  ];
  check = r: builtins.mapAttrs (n: o: o.type.description) (builtins.removeAttrs r.options [ "_module" ]);
}
