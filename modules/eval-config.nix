# A firn system: firn's modules plus one configuration (and the VM profile
# when `vm`), evaluated with lib.evalModules. `firn system build` builds
# its config.system.build.toplevel (or .vm); tests and tools import it to
# reach any option:
#   (import <firn/eval-config.nix> { configuration = ./configuration.nix; }).config
{ configuration, vm ? false, extraModules ? [ ] }:
let
  lib = import ./lib;
in
lib.evalModules {
  modules = import ./module-list.nix ++ [ configuration ] ++ extraModules
    ++ lib.optional vm ./virtualisation/vm.nix;
  specialArgs = { firnConfigurationDir = toString (dirOf configuration); };
}
