# The module system's Nix-side half: the property constructors (mkIf,
# mkMerge, mkOverride, mkOrder) and mkOption, which are plain tagged sets the
# native evaluator recognises; evalModules, which hands the native one its
# internal module; and the renaming helpers, which are ordinary modules.
{ lib }:
let
  native = builtins.__firnModuleSystem;
  inherit (lib) types;

  # Options every evaluation has (nixpkgs declares the same ones).
  internalModule = {
    _file = "<firn/lib/modules.nix>";
    key = "<firn/lib/modules.nix>#internal";
    options._module = {
      args = mkOption {
        type = types.lazyAttrsOf types.raw;
        internal = true;
        description = "Additional arguments passed to each module, besides lib, config, options and specialArgs.";
      };
      check = mkOption {
        type = types.bool;
        internal = true;
        default = true;
        description = "Whether to check that every definition has a declared option.";
      };
      freeformType = mkOption {
        type = types.nullOr types.optionType;
        internal = true;
        default = null;
        description = "The type definitions without a declared option are merged with, or null for none.";
      };
    };
  };

  mkOption = attrs: attrs // { _type = "option"; };

  mkOverride = priority: content: { _type = "override"; inherit priority content; };
  mkOrder = priority: content: { _type = "order"; inherit priority content; };

  showOption = parts: builtins.concatStringsSep "." (map
    (p: if builtins.match "[a-zA-Z_][a-zA-Z0-9_'-]*" p != null || p == "<name>" || p == "*" then p else builtins.toJSON p)
    parts);
  showFiles = files: builtins.concatStringsSep ", " (map (f: "`${toString f}'") files);

  getValues = map (d: d.value);
  getFiles = map (d: d.file);

  showDefs = defs: builtins.concatStringsSep "" (map
    (d: "\n- In `${d.file}': ${builtins.toJSON (builtins.tryEval d.value).value or "<error>"}") defs);

  mergeOneOption = loc: defs:
    if defs == [ ] then throw "The option `${showOption loc}' is used but not defined."
    else if builtins.length defs == 1 then (builtins.head defs).value
    else throw "The option `${showOption loc}' is defined multiple times while it's expected to be unique.\nDefinition values:${showDefs defs}";

  mergeEqualOption = loc: defs:
    if defs == [ ] then throw "The option `${showOption loc}' is used but not defined."
    else (builtins.foldl'
      (first: def:
        if def.value != first.value
        then throw "The option `${showOption loc}' has conflicting definition values:${showDefs [ first def ]}"
        else first)
      (builtins.head defs) (builtins.tail defs)).value;

  mergeDefaultOption = loc: defs:
    let
      list = getValues defs;
      all = pred: builtins.all pred list;
    in
    if builtins.length list == 1 then builtins.head list
    else if all builtins.isFunction then x: mergeDefaultOption loc (map (d: d // { value = d.value x; }) defs)
    else if all builtins.isList then builtins.concatLists list
    else if all builtins.isAttrs then builtins.foldl' (a: b: a // b) { } list
    else if all builtins.isBool then builtins.any (x: x) list
    else if all builtins.isString then builtins.concatStringsSep "" list
    else if all builtins.isInt && all (x: x == builtins.head list) then builtins.head list
    else throw "Cannot merge definitions of `${showOption loc}'. Definition values:${showDefs defs}";

  # Done the nixpkgs way: warnings and an alias option forwarding to `to`.
  doRename = { from, to, visible, warn, use, withPriority ? true, condition ? true }:
    { config, options, ... }:
    let
      fromOpt = lib.getAttrFromPath from options;
      toOf = lib.attrByPath to (abort "Renaming error: option `${showOption to}' does not exist.");
      toType = let opt = lib.attrByPath to { } options; in opt.type or (types.submodule { });
    in
    {
      options = lib.setAttrByPath from (mkOption {
        inherit visible;
        description = "Alias of {option}`${showOption to}`.";
        apply = x: use (toOf config);
      } // lib.optionalAttrs (toType != null) { type = toType; });
      config = mkIf condition (mkMerge [
        (lib.optionalAttrs (options ? warnings) {
          warnings = lib.optional (warn && fromOpt.isDefined)
            "The option `${showOption from}' defined in ${showFiles fromOpt.files} has been renamed to `${showOption to}'.";
        })
        (mkIf fromOpt.isDefined (lib.setAttrByPath to (mkMerge (map
          (mkOverride (if withPriority then fromOpt.highestPrio else 100))
          fromOpt.definitions))))
      ]);
    };

  mkMergedOptionModule = from: to: mergeFn: { config, options, ... }: {
    options = builtins.foldl' lib.recursiveUpdate { } (map
      (path: lib.setAttrByPath path (mkOption { visible = false; default = "_mkMergedOptionModule"; }))
      from);
    config = (lib.optionalAttrs (options ? warnings) {
      warnings = builtins.filter (x: x != "") (map
        (f:
          let
            val = lib.getAttrFromPath f config;
            opt = lib.getAttrFromPath f options;
          in
          lib.optionalString (val != "_mkMergedOptionModule")
            "The option `${showOption f}' defined in ${showFiles opt.files} has been changed to `${showOption to}' that has a different type. Please read `${showOption to}' documentation and update your configuration accordingly.")
        from);
    }) // lib.setAttrByPath to (mkMerge (lib.optional
      (builtins.any (f: (lib.getAttrFromPath f config) != "_mkMergedOptionModule") from)
      (mergeFn config)));
  };

  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkMerge = contents: { _type = "merge"; inherit contents; };
in
rec {
  inherit mkOption mkIf mkMerge mkOverride mkOrder showOption showFiles getValues getFiles
    mergeOneOption mergeEqualOption mergeDefaultOption doRename mkMergedOptionModule;

  evalModules = { modules, specialArgs ? { }, prefix ? [ ], ... }:
    native.evalModulesNative { inherit lib modules specialArgs prefix internalModule; };

  isOption = lib.isType "option";
  mkEnableOption = name: mkOption {
    default = false;
    example = true;
    description = "Whether to enable ${name}.";
    type = types.bool;
  };
  mkPackageOption = pkgs: name:
    { nullable ? false, default ? null, example ? null, extraDescription ? "", pkgsText ? "pkgs" }:
    let
      path = if builtins.isList name then name else [ name ];
      defaultPath = if default == null then path else if builtins.isList default then default else [ default ];
      defaultValue = lib.attrByPath defaultPath (throw "${builtins.concatStringsSep "." defaultPath} cannot be found in ${pkgsText}") pkgs;
    in
    mkOption ({
      type = if nullable then types.nullOr types.package else types.package;
      description = "The ${lib.last path} package to use." + extraDescription;
      default = defaultValue;
      defaultText = lib.literalExpression "${pkgsText}.${builtins.concatStringsSep "." defaultPath}";
    } // lib.optionalAttrs (example != null) {
      example = if builtins.isString example then lib.literalExpression "${pkgsText}.${example}" else example;
    });
  mkSinkUndeclaredOptions = attrs: mkOption ({
    internal = true;
    visible = false;
    default = false;
    description = "Sink for option definitions.";
    type = mkOptionType { name = "sink"; check = x: true; merge = loc: defs: false; };
    apply = x: throw "Option value is not readable because the option is not declared.";
  } // attrs);

  defaultOverridePriority = 100;
  defaultOrderPriority = 1000;
  mkOptionDefault = mkOverride 1500;
  mkDefault = mkOverride 1000;
  mkImageMediaOverride = mkOverride 60;
  mkForce = mkOverride 50;
  mkVMOverride = mkOverride 10;
  mkBefore = mkOrder 500;
  mkAfter = mkOrder 1500;

  mkAliasDefinitions = option: mkIf option.isDefined (mkMerge option.definitions);

  mkOptionType = { name, description ? null, descriptionClass ? null, check ? (x: true)
    , merge ? mergeDefaultOption, emptyValue ? { }, getSubOptions ? (prefix: { })
    , getSubModules ? null, substSubModules ? (m: null), typeMerge ? (f: null)
    , functor ? { inherit name; type = null; wrapped = null; payload = null; binOp = a: b: null; }
    , deprecationMessage ? null, nestedTypes ? { } }: {
    _type = "option-type";
    inherit name check merge emptyValue getSubOptions getSubModules substSubModules typeMerge
      functor deprecationMessage nestedTypes descriptionClass;
    description = if description == null then name else description;
  };

  mkRenamedOptionModule = from: to: doRename {
    inherit from to;
    visible = false;
    warn = true;
    use = builtins.trace "Obsolete option `${showOption from}' is used. It was renamed to `${showOption to}'.";
  };
  mkAliasOptionModule = from: to: doRename {
    inherit from to;
    visible = true;
    warn = false;
    use = x: x;
  };
  mkRemovedOptionModule = optionName: replacementInstructions: { options, ... }: {
    options = lib.setAttrByPath optionName (mkOption {
      visible = false;
      apply = x: throw "The option `${showOption optionName}' can no longer be used since it's been removed. ${replacementInstructions}";
    });
    config.assertions =
      let opt = lib.getAttrFromPath optionName options; in
      [{
        assertion = !opt.isDefined;
        message = ''
          The option definition `${showOption optionName}' in ${showFiles opt.files} no longer has any effect; please remove it.
          ${replacementInstructions}
        '';
      }];
  };
  mkChangedOptionModule = from: to: changeFn: mkMergedOptionModule [ from ] to changeFn;

  # What the system's toplevel does with `assertions` and `warnings`: fail
  # with every failed assertion's message, print each warning once.
  checkAssertWarn = config: value:
    let
      failed = map (a: a.message) (builtins.filter (a: !a.assertion) (config.assertions or [ ]));
      warned = builtins.foldl' (v: w: builtins.trace "warning: ${w}" v) value (config.warnings or [ ]);
    in
    if failed != [ ]
    then throw "\nFailed assertions:\n${builtins.concatStringsSep "\n" (map (m: "- ${m}") failed)}"
    else warned;
}
