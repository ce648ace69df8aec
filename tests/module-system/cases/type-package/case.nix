{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.pkg = mkOption { type = types.package; };
        options.pkgs = mkOption { type = types.listOf types.package; };
      }
    {
        pkg = { type = "derivation"; name = "hello-2.12"; outPath = "/nix/store/00000000000000000000000000000000-hello-2.12"; };
        pkgs = [ { type = "derivation"; name = "b"; outPath = "/nix/store/11111111111111111111111111111111-b"; } ];
      }
    {
        pkgs = [ { type = "derivation"; name = "a"; outPath = "/nix/store/22222222222222222222222222222222-a"; } ];
      }
  ];
  check = r: {
    inherit (r.config.pkg) name type;
    names = builtins.sort builtins.lessThan (map (p: p.name) r.config.pkgs);
  };
}
