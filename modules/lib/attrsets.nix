# Attribute-set helpers with nixpkgs' lib.attrsets names and behaviour, plus
# the package accessors nixpkgs keeps in lib.meta (getExe, getExe').
{ lib }:
let
  inherit (builtins)
    attrNames attrValues listToAttrs mapAttrs removeAttrs filter length
    elemAt head isAttrs isList isString concatMap catAttrs zipAttrsWith
    partition groupBy;

  nameValuePair = name: value: { inherit name value; };

  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (attrNames attrs);

  genAttrs = names: f: listToAttrs (map (n: nameValuePair n (f n)) names);

  attrByPath = attrPath: default: set:
    let
      n = length attrPath;
      go = i: s:
        if i == n then s
        else
          let a = elemAt attrPath i; in
          if isAttrs s && s ? ${a} then go (i + 1) s.${a} else default;
    in go 0 set;

  mapAttrsRecursiveCond = cond: f: set:
    let
      recurse = path: mapAttrs (name: value:
        if isAttrs value && cond value
        then recurse (path ++ [ name ]) value
        else f (path ++ [ name ]) value);
    in recurse [ ] set;

  filterAttrsRecursive = pred: set:
    listToAttrs (concatMap (name:
      let v = set.${name}; in
      if pred name v
      then [ (nameValuePair name (if isAttrs v then filterAttrsRecursive pred v else v)) ]
      else [ ]) (attrNames set));

  zipAttrsWithNames = names: f: sets:
    listToAttrs (map (name: { inherit name; value = f name (catAttrs name sets); }) names);

  recursiveUpdateUntil = pred: lhs: rhs:
    let
      f = attrPath: zipAttrsWith (n: values:
        let here = attrPath ++ [ n ]; in
        if length values == 1 || pred here (elemAt values 1) (head values)
        then head values
        else f here values);
    in f [ ] [ rhs lhs ];

  matchAttrs = pattern: attrs:
    assert isAttrs pattern;
    builtins.all (name:
      let pat = pattern.${name}; in
      attrs ? ${name} && (
        let val = attrs.${name}; in
        if isAttrs pat then isAttrs val && matchAttrs pat val else pat == val))
      (attrNames pattern);

  isDerivation = value: isAttrs value && (value.type or null) == "derivation";

  getOutput = output: pkg:
    if !(pkg ? outputSpecified) || !pkg.outputSpecified
    then pkg.${output} or pkg.out or pkg
    else pkg;

  showAttrPath = path:
    if path == [ ] then "<root attribute path>"
    else builtins.concatStringsSep "." (map lib.strings.escapeNixIdentifier path);

  cartesianProduct = attrsOfLists:
    builtins.foldl' (listOfAttrs: attrName:
      concatMap (attrs:
        map (v: attrs // { ${attrName} = v; }) attrsOfLists.${attrName})
        listOfAttrs)
      [ { } ]
      (attrNames attrsOfLists);

  getExe' = x: y:
    assert lib.trivial.assertMsg (isDerivation x)
      "lib.meta.getExe': The first argument is of type ${builtins.typeOf x}, but it should be a derivation instead.";
    assert lib.trivial.assertMsg (isString y)
      "lib.meta.getExe': The second argument is of type ${builtins.typeOf y}, but it should be a string instead.";
    assert lib.trivial.assertMsg (builtins.match ".*/.*" y == null)
      "lib.meta.getExe': The second argument \"${y}\" is a nested path with a \"/\" character, but it should just be the name of the executable instead.";
    "${getOutput "bin" x}/bin/${y}";
in
{
  inherit (builtins)
    attrNames attrValues listToAttrs mapAttrs removeAttrs hasAttr getAttr
    intersectAttrs catAttrs zipAttrsWith isAttrs;

  inherit nameValuePair mapAttrsToList genAttrs attrByPath
    mapAttrsRecursiveCond filterAttrsRecursive zipAttrsWithNames
    recursiveUpdateUntil matchAttrs isDerivation getOutput showAttrPath
    cartesianProduct getExe';

  cartesianProductOfSets = cartesianProduct;
  mapCartesianProduct = f: attrsOfLists: map f (cartesianProduct attrsOfLists);

  ## Paths into nested sets

  hasAttrByPath = attrPath: e:
    let
      n = length attrPath;
      go = i: s:
        i == n || (
          let a = elemAt attrPath i; in
          isAttrs s && s ? ${a} && go (i + 1) s.${a});
    in go 0 e;

  # The longest prefix of attrPath that exists in v.
  longestValidPathPrefix = attrPath: v:
    let
      n = length attrPath;
      go = i: s:
        if i == n then i
        else
          let a = elemAt attrPath i; in
          if isAttrs s && s ? ${a} then go (i + 1) s.${a} else i;
    in lib.lists.take (go 0 v) attrPath;

  setAttrByPath = attrPath: value:
    let
      n = length attrPath;
      go = i: if i == n then value else { ${elemAt attrPath i} = go (i + 1); };
    in go 0;

  getAttrFromPath = attrPath: set:
    attrByPath attrPath
      (abort ("cannot find attribute `" + builtins.concatStringsSep "." attrPath + "'"))
      set;

  # Apply [ { path = [ … ]; update = old: new; } … ] in order, creating
  # the intermediate sets a path needs; updates to a path run after those
  # below it.
  updateManyAttrsByPath =
    let
      go = depth: hasValue: value: updates:
        let
          split = partition (u: length u.path == depth) updates;
          nested = groupBy (u: elemAt u.path depth) split.wrong;
          withNested =
            if split.wrong == [ ] then
              if hasValue then value
              else throw "updateManyAttrsByPath: Path '${showAttrPath (head split.right).path}' does not exist in the expression"
            else if hasValue then
              if !isAttrs value then
                let p = (head split.wrong).path; in
                throw "updateManyAttrsByPath: Path '${showAttrPath p}' needs to be updated, but path '${showAttrPath (lib.lists.take depth p)}' of the expression isn't an attribute set"
              else
                value // mapAttrs (name: go (depth + 1) (value ? ${name}) (value.${name} or null)) nested
            else
              mapAttrs (_: go (depth + 1) false null) nested;
        in builtins.foldl' (acc: u: u.update acc) withNested split.right;
    in updates: value: go 0 true value updates;

  attrVals = nameList: set: map (x: set.${x}) nameList;

  getAttrs = names: attrs: genAttrs names (name: attrs.${name});

  ## Filtering, mapping, folding

  filterAttrs = pred: set:
    removeAttrs set (filter (name: !pred name set.${name}) (attrNames set));

  foldAttrs = op: nul: listOfAttrs:
    lib.lists.foldr (n: a:
      lib.lists.foldr (name: o: o // { ${name} = op n.${name} (a.${name} or nul); })
        a (attrNames n))
      { } listOfAttrs;

  foldlAttrs = f: init: set:
    builtins.foldl' (acc: name: f acc name set.${name}) init (attrNames set);

  collect = pred: attrs:
    if pred attrs then [ attrs ]
    else if isAttrs attrs then concatMap (lib.attrsets.collect pred) (attrValues attrs)
    else [ ];

  mapAttrs' = f: set: listToAttrs (map (name: f name set.${name}) (attrNames set));

  attrsToList = mapAttrsToList nameValuePair;

  concatMapAttrs = f: v:
    builtins.foldl' (acc: x: acc // x) { } (attrValues (mapAttrs f v));

  mapAttrsRecursive = mapAttrsRecursiveCond (_: true);

  optionalAttrs = cond: as: if cond then as else { };

  zipAttrs = zipAttrsWith (_: values: values);

  # Merge a list of sets, later ones winning, in a balanced tree of //.
  mergeAttrsList = list:
    let
      go = start: end:
        if end - start >= 2 then
          let mid = start + (end - start) / 2; in go start mid // go mid end
        else elemAt list start;
    in if list == [ ] then { } else go 0 (length list);

  recursiveUpdate = lhs: rhs:
    recursiveUpdateUntil (_: l: r: !(isAttrs l && isAttrs r)) lhs rhs;

  overrideExisting = old: new: mapAttrs (name: value: new.${name} or value) old;

  unionOfDisjoint = x: y:
    let
      clash = builtins.intersectAttrs x y;
      names = builtins.concatStringsSep " " (attrNames clash);
    in x // y // mapAttrs (name: _:
      throw "unionOfDisjoint: collision on ${name}; complete list: ${names}") clash;

  ## Derivations

  getBin = getOutput "bin";
  getLib = getOutput "lib";
  getDev = getOutput "dev";
  getMan = getOutput "man";
  chooseDevOutputs = map (getOutput "dev");

  # The path of the package's main program, from meta.mainProgram or else
  # the package's name.
  getExe = x: getExe' x (x.meta.mainProgram or (lib.strings.getName x));

  recurseIntoAttrs = attrs: attrs // { recurseForDerivations = true; };
  dontRecurseIntoAttrs = attrs: attrs // { recurseForDerivations = false; };
}
