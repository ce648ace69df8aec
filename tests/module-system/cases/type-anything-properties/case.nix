{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.anything; }; }
    {
        x = {
          str = lib.mkDefault "foo";
          pkg.hello = "hello";
          fun.fun = x: x + 1;
        };
      }
    {
        x = {
          str = lib.mkIf true "bar";
          pkg.gcc = "gcc";
          fun.fun = lib.mkForce (x: x + 2);
          gone = lib.mkIf false "never";
        };
      }
  ];
  check = r: { inherit (r.config.x) str pkg; fun = r.config.x.fun.fun 1; names = builtins.attrNames r.config.x; };
}
