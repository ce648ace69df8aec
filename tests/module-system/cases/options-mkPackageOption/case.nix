{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ({ pkgs, lib, ... }: {
        options.hello = lib.mkPackageOption pkgs "hello" { };
        options.torch = lib.mkPackageOption pkgs [ "python3Packages" "pytorch" ] { };
        options.maybe = lib.mkPackageOption pkgs "hello" { nullable = true; };
      })
  ];
  specialArgs.pkgs = {
    hello = { type = "derivation"; name = "hello-2.12"; outPath = "/nix/store/00000000000000000000000000000000-hello-2.12"; };
    python3Packages.pytorch = { type = "derivation"; name = "pytorch-2.0"; outPath = "/nix/store/11111111111111111111111111111111-pytorch-2.0"; };
  };
  check = r: {
    inherit (r.options.hello) description;
    type = r.options.hello.type.description;
    default = r.options.hello.default.name;
    value = r.config.hello.name;
    torchDescription = r.options.torch.description;
    torch = r.config.torch.name;
    maybeType = r.options.maybe.type.description;
  };
}
