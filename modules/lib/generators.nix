# Turning Nix values into configuration-file text, with nixpkgs'
# lib.generators names and calling conventions: every generator takes an
# attribute set of settings first (often `{ }`), then the value.
{ lib }:
let
  inherit (builtins)
    isInt isFloat isString isList isAttrs isPath attrNames length
    concatStringsSep concatLists filter split head tail;
  inherit (lib.strings) escape escapeNixIdentifier floatToString;
  inherit (lib.attrsets) mapAttrsToList isDerivation;
  inherit (lib.trivial) isFunction;

  mkValueStringDefault = { }: v:
    let
      err = what: abort
        "generators.mkValueStringDefault: ${what} not supported: ${toPretty { } v}";
    in
    if isInt v then toString v
    else if isDerivation v then toString v
    else if isString v then v
    else if v == true then "true"
    else if v == false then "false"
    else if v == null then "null"
    else if isList v then err "lists"
    else if isAttrs v then err "attrsets"
    else if isFunction v then err "functions"
    else if isFloat v then floatToString v
    else err "this value is";

  mkKeyValueDefault = { mkValueString ? mkValueStringDefault { } }: sep: k: v:
    "${escape [ sep ] k}${sep}${mkValueString v}";

  toKeyValue =
    { mkKeyValue ? mkKeyValueDefault { } "="
    , listsAsDuplicateKeys ? false
    , indent ? ""
    }:
    let
      mkLine = k: v: indent + mkKeyValue k v + "\n";
      mkLines =
        if listsAsDuplicateKeys
        then k: v: map (mkLine k) (if isList v then v else [ v ])
        else k: v: [ (mkLine k v) ];
    in attrs: concatStringsSep "" (concatLists (mapAttrsToList mkLines attrs));

  toINI =
    { mkSectionName ? (name: escape [ "[" "]" ] name)
    , mkKeyValue ? mkKeyValueDefault { } "="
    , listsAsDuplicateKeys ? false
    }: attrsOfAttrs:
    let
      mkSection = name: values:
        "[${mkSectionName name}]\n"
        + toKeyValue { inherit mkKeyValue listsAsDuplicateKeys; } values;
    in concatStringsSep "\n" (mapAttrsToList mkSection attrsOfAttrs);

  toINIWithGlobalSection =
    { mkSectionName ? (name: escape [ "[" "]" ] name)
    , mkKeyValue ? mkKeyValueDefault { } "="
    , listsAsDuplicateKeys ? false
    }: { globalSection, sections ? { } }:
    (if globalSection == { } then ""
     else toKeyValue { inherit mkKeyValue listsAsDuplicateKeys; } globalSection + "\n")
    + toINI { inherit mkSectionName mkKeyValue listsAsDuplicateKeys; } sections;

  # git-config(1) syntax: { url."ssh://x".insteadOf = "y"; } becomes a
  # [url "ssh://x"] section; string values are quoted and escaped.
  toGitINI = attrs:
    let
      mkSectionName = name:
        let
          hasQuote = lib.strings.hasInfix "\"" name;
          parts = lib.strings.splitString "." name;
          subsections = tail parts;
        in
        if hasQuote || subsections == [ ] then name
        else "${head parts} \"${concatStringsSep "." subsections}\"";

      mkValueString = v:
        let
          quoted = "\"" + builtins.replaceStrings
            [ "\n" "\t" "\"" "\\" ] [ "\\n" "\\t" "\\\"" "\\\\" ] v + "\"";
        in mkValueStringDefault { } (if isString v then quoted else v);

      mkKeyValue = k: v:
        let kv = mkKeyValueDefault { inherit mkValueString; } " = " k; in
        concatStringsSep "\n" (map (x: "\t" + kv x) (lib.lists.toList v));

      # { a.b.c = 5; } -> { "a.b".c = 5; }
      flatten =
        let
          recurse = path: value:
            if isAttrs value && !isDerivation value then
              mapAttrsToList (name: recurse ([ name ] ++ path)) value
            else if length path > 1 then {
              ${concatStringsSep "." (lib.lists.reverseList (tail path))}.${head path} = value;
            }
            else { ${head path} = value; };
        in a: lib.lists.foldl lib.attrsets.recursiveUpdate { } (lib.lists.flatten (recurse [ ] a));
    in
    toINI { inherit mkKeyValue mkSectionName; } (flatten attrs);

  # Nix-like, human-readable rendering of any value (for messages and
  # documentation).
  toPretty =
    { allowPrettyValues ? false
    , multiline ? true
    , indent ? ""
    }:
    let
      go = indent: v:
        let
          introSpace = if multiline then "\n${indent}  " else " ";
          outroSpace = if multiline then "\n${indent}" else " ";
        in
        if isInt v then toString v
        # toString rounds floats; toJSON keeps their precision.
        else if isFloat v then builtins.toJSON v
        else if isString v then
          let
            lines = filter (l: !isList l) (split "\n" v);
            escapeSingleline = escape [ "\\" "\"" "\${" ];
            escapeMultiline = builtins.replaceStrings [ "\${" "''" ] [ "''\${" "'''" ];
            single = "\"" + concatStringsSep "\\n" (map escapeSingleline lines) + "\"";
            multi =
              let
                escaped = map escapeMultiline lines;
                lastLine = lib.lists.last escaped;
              in
              "''" + introSpace + concatStringsSep introSpace (lib.lists.init escaped)
              + (if lastLine == "" then outroSpace else introSpace + lastLine) + "''";
          in
          if multiline && length lines > 1 then multi else single
        else if v == true then "true"
        else if v == false then "false"
        else if v == null then "null"
        else if isPath v then toString v
        else if isList v then
          if v == [ ] then "[ ]"
          else "[" + introSpace
            + concatStringsSep introSpace (map (go (indent + "  ")) v)
            + outroSpace + "]"
        else if isFunction v then
          let
            args = lib.trivial.functionArgs v;
            shown = concatStringsSep ", "
              (mapAttrsToList (name: hasDefault: if hasDefault then name + "?" else name) args);
          in if args == { } then "<function>" else "<function, args: {${shown}}>"
        else if isAttrs v then
          if allowPrettyValues && v ? __pretty && v ? val then v.__pretty v.val
          else if v == { } then "{ }"
          else if v ? type && v.type == "derivation" then "<derivation ${v.name or "???"}>"
          else "{" + introSpace
            + concatStringsSep introSpace (mapAttrsToList (name: value:
                "${escapeNixIdentifier name} = ${
                  builtins.addErrorContext "while evaluating an attribute `${name}`"
                    (go (indent + "  ") value)};") v)
            + outroSpace + "}"
        else abort "generators.toPretty: should never happen (v = ${v})";
    in go indent;
in
{
  inherit mkValueStringDefault mkKeyValueDefault toKeyValue toINI
    toINIWithGlobalSection toGitINI toPretty;

  # YAML is a superset of JSON.
  toJSON = { }: builtins.toJSON;
  toYAML = { }: builtins.toJSON;
}
