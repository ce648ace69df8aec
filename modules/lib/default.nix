# firn's `lib`: what every module receives as `lib`, and what
# `import <firn/lib>` gives any expression.
#
# The module system itself (evalModules, mkOption, types, mkIf, …) is native
# C (src/module-system/), reached through builtins.__firnModuleSystem; the
# everyday helpers are written in the Nix language in the files beside this
# one, each a function of the finished `lib` so they can use one another.
let
  native = builtins.__firnModuleSystem or { };

  lib = let
    call = file: import file { inherit lib; };
    trivial = call ./trivial.nix;
    lists = call ./lists.nix;
    strings = call ./strings.nix;
    attrsets = call ./attrsets.nix;
    generators = call ./generators.nix;
    versions = call ./versions.nix;
    modules = call ./modules.nix;
  in
    trivial // lists // strings // attrsets // modules // native // {
      inherit trivial lists strings attrsets generators versions modules;
      types = native.types or { };
      options = modules;
    };
in
lib
