# attrNames, attrValues, getAttr, hasAttr, removeAttrs, intersectAttrs,
# mapAttrs, zipAttrsWith.
let
  inherit (builtins) attrNames attrValues getAttr hasAttr intersectAttrs mapAttrs zipAttrsWith length;
  boom = throw "must not be forced";
  s = { y = 1; x = "foo"; "a b" = 3; Z = 4; "" = 5; _ = 6; "10" = 7; "9" = 8; };
in {
  attrNames = attrNames s;
  attrValues = attrValues s;
  attrNamesEmpty = attrNames { };
  attrValuesLazy = length (attrValues { a = boom; b = boom; });
  getAttr = getAttr "x" s;
  getAttrDyn = getAttr ("a" + " b") s;
  getAttrLazyOthers = getAttr "a" { a = 1; b = boom; };
  hasAttr = [ (hasAttr "x" s) (hasAttr "nope" s) (hasAttr "" s) (hasAttr "a" { a = boom; }) ];
  removeAttrs = removeAttrs s [ "a" "x" "Z" "x" "missing" ];
  removeAttrsNone = removeAttrs { a = 1; } [ ];
  removeAttrsAll = removeAttrs { a = 1; b = 2; } [ "b" "a" ];
  intersectAttrs = intersectAttrs { a = 0; b = 0; z = 0; } { a = 1; c = 3; b = 2; };
  intersectAttrsBig = intersectAttrs { a = 0; } { a = 1; b = 2; c = 3; d = 4; };
  intersectAttrsSmall = intersectAttrs { a = 0; b = 0; c = 0; d = 0; } { d = 1; };
  intersectAttrsLazy = attrNames (intersectAttrs { a = boom; } { a = boom; });
  mapAttrs = mapAttrs (name: value: "${name}=${toString (value * 10)}") { a = 1; b = 2; };
  mapAttrsLazy = attrNames (mapAttrs (n: v: boom) { a = 1; b = 2; });
  mapAttrsLazyFn = attrNames (mapAttrs boom { a = 1; });
  mapAttrsEmpty = mapAttrs boom { };
  zipAttrsWith = zipAttrsWith (name: values: { inherit name values; }) [ { a = "x"; } { a = "y"; b = "z"; } ];
  zipAttrsWithEmpty = zipAttrsWith (n: boom) [ ];
  zipAttrsWithEmptySets = zipAttrsWith (n: boom) [ { } { } ];
  zipAttrsWithOrder = zipAttrsWith (n: v: v) [ { b = 1; a = 1; } { c = 2; } { a = 3; b = 3; c = 3; } ];
  zipAttrsWithLazy = attrNames (zipAttrsWith (n: v: boom) [ { a = boom; } { b = boom; } ]);
}
