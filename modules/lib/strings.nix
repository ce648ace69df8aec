# String helpers with nixpkgs' lib.strings names and behaviour: joining,
# splitting, prefixes and suffixes, case, escaping for shells, Nix, regular
# expressions and XML, search paths, integer parsing and package names.
#
# lib.strings.replicate is left out on purpose: default.nix merges this file
# over lists.nix, and the top-level lib.replicate must stay the list one.
{ lib }:
let
  inherit (builtins)
    length elemAt head filter match split substring stringLength
    replaceStrings concatStringsSep isString isList isAttrs isPath isInt
    typeOf toJSON fromJSON parseDrvName storeDir compareVersions;

  concatStrings = concatStringsSep "";

  concatMapStrings = f: list: concatStrings (map f list);

  stringToCharacters = s: builtins.genList (p: substring p 1 s) (stringLength s);

  escape = list: replaceStrings list (map (c: "\\${c}") list);

  escapeRegex = escape (stringToCharacters "\\[{()^$?*+|.");

  escapeNixString = s: escape [ "$" ] (toJSON s);

  escapeShellArg = arg:
    let s = toString arg; in
    if match "[[:alnum:],._+:@%/-]+" s != null then s
    else "'${replaceStrings [ "'" ] [ "'\\''" ] s}'";

  lowerChars = stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  upperChars = stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

  toLower = replaceStrings upperChars lowerChars;

  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;

  hasSuffix = suffix: content:
    let
      lc = stringLength content;
      ls = stringLength suffix;
    in lc >= ls && substring (lc - ls) ls content == suffix;

  removePrefix = prefix: str:
    let lp = stringLength prefix; in
    if substring 0 lp str == prefix
    then substring lp (stringLength str - lp) str
    else str;

  removeSuffix = suffix: str:
    let
      ls = stringLength suffix;
      lstr = stringLength str;
    in
    if ls <= lstr && substring (lstr - ls) ls str == suffix
    then substring 0 (lstr - ls) str
    else str;

  # Carry b's string context over to a (used so split pieces keep the
  # dependencies of the string they came from).
  addContextFrom = a: b: substring 0 0 a + b;

  splitString = sep: s:
    let pieces = filter isString (split (escapeRegex (toString sep)) (toString s));
    in map (addContextFrom s) pieces;

  isStringLike = x:
    isString x || isPath x || (isAttrs x && (x ? outPath || x ? __toString));

  isConvertibleWithToString = x:
    isStringLike x
    || builtins.elem (typeOf x) [ "null" "int" "float" "bool" ]
    || (isList x && builtins.all isConvertibleWithToString x);

  escapeNixIdentifier = s:
    if match "[a-zA-Z_][a-zA-Z0-9_'-]*" s != null then s else escapeNixString s;

  isValidPosixName = name: match "[a-zA-Z_][a-zA-Z0-9_]*" name != null;

  fixedWidthString = width: filler: str:
    let strw = stringLength str; in
    assert lib.trivial.assertMsg (strw <= width)
      "fixedWidthString: requested string length (${toString width}) must not be shorter than actual length (${toString strw})";
    if strw == width then str
    else filler + fixedWidthString (width - stringLength filler) filler str;

  # Printable ASCII plus tab, newline and carriage return, by code.
  printable = stringToCharacters
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
  asciiTable = builtins.listToAttrs
    (builtins.genList (i: { name = elemAt printable i; value = i + 32; }) (length printable))
    // { "\t" = 9; "\n" = 10; "\r" = 13; };

  charToInt = c: asciiTable.${c};

  trimWith = { start ? false, end ? false }: s:
    let
      # Spelled out rather than [:space:], whose meaning varies.
      ws = " \t\r\n";
      regex =
        if start && end then "[${ws}]*(.*[^${ws}])[${ws}]*"
        else if start then "[${ws}]*(.*)"
        else if end then "(.*[^${ws}])[${ws}]*"
        else "(.*)";
      m = match regex s;
    in if m == null then "" else head m;

  makeSearchPath = subDir: paths:
    concatStringsSep ":" (map (p: p + "/" + subDir) (filter (x: x != null) paths));

  makeSearchPathOutput = output: subDir: pkgs:
    makeSearchPath subDir (map (lib.attrsets.getOutput output) pkgs);

  versionOlder = v1: v2: compareVersions v2 v1 == 1;
in
{
  inherit (builtins)
    stringLength substring replaceStrings concatStringsSep match split
    toJSON fromJSON parseDrvName compareVersions splitVersion typeOf
    unsafeDiscardStringContext readFile storeDir;

  inherit concatStrings concatMapStrings stringToCharacters escape
    escapeRegex escapeNixString escapeShellArg escapeNixIdentifier
    lowerChars upperChars toLower hasPrefix hasSuffix removePrefix
    removeSuffix addContextFrom splitString isStringLike
    isConvertibleWithToString isValidPosixName fixedWidthString
    asciiTable charToInt trimWith makeSearchPath makeSearchPathOutput
    versionOlder;

  toUpper = replaceStrings lowerChars upperChars;

  ## Joining

  concatImapStrings = f: list: concatStrings (lib.lists.imap1 f list);
  concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);
  concatImapStringsSep = sep: f: list: concatStringsSep sep (lib.lists.imap1 f list);
  concatLines = concatMapStrings (s: s + "\n");

  intersperse = separator: list:
    if list == [ ] || length list == 1 then list
    else builtins.tail (builtins.concatMap (x: [ separator x ]) list);

  optionalString = cond: string: if cond then string else "";

  stringAsChars = f: s: concatMapStrings f (stringToCharacters s);

  ## Searching

  hasInfix = infix: content:
    match ".*${escapeRegex infix}.*" "${content}" != null;

  trim = trimWith { start = true; end = true; };

  ## Escaping

  escapeShellArgs = list: concatStringsSep " " (map escapeShellArg list);

  escapeC = list: replaceStrings list
    (map (c: "\\x${toLower (fixedWidthString 2 "0" (lib.trivial.toHexString (charToInt c)))}") list);

  escapeURL =
    let
      unreserved = stringToCharacters
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
      toEscape = builtins.removeAttrs asciiTable unreserved;
      names = builtins.attrNames toEscape;
    in replaceStrings names
      (map (c: "%${fixedWidthString 2 "0" (lib.trivial.toHexString toEscape.${c})}") names);

  escapeXML = replaceStrings
    [ "\"" "'" "<" ">" "&" ]
    [ "&quot;" "&apos;" "&lt;" "&gt;" "&amp;" ];

  # Assignment of a Bash variable (an indexed array for a list, an
  # associative array for an attribute set).
  toShellVar = name: value:
    lib.trivial.throwIfNot (isValidPosixName name)
      "toShellVar: ${name} is not a valid shell variable name"
      (if isAttrs value && !isStringLike value then
        "declare -A ${name}=(${concatStringsSep " "
          (lib.attrsets.mapAttrsToList (n: v: "[${escapeShellArg n}]=${escapeShellArg v}") value)})"
      else if isList value then
        "declare -a ${name}=(${concatStringsSep " " (map escapeShellArg value)})"
      else
        "${name}=${escapeShellArg value}");

  toShellVars = vars:
    concatStringsSep "\n" (lib.attrsets.mapAttrsToList lib.strings.toShellVar vars);

  ## Paths

  # Collapse runs of "/" (by character, so string context survives).
  normalizePath = s:
    builtins.foldl' (x: y: if y == "/" && hasSuffix "/" x then x else x + y) ""
      (stringToCharacters s);

  makeLibraryPath = makeSearchPathOutput "lib" "lib";
  makeBinPath = makeSearchPathOutput "bin" "bin";
  makeIncludePath = makeSearchPathOutput "dev" "include";

  isStorePath = x:
    if isStringLike x then
      let str = toString x; in
      substring 0 1 str == "/" && dirOf str == storeDir
    else false;

  fileContents = file: removeSuffix "\n" (builtins.readFile file);

  ## Versions and names

  versionAtLeast = v1: v2: !versionOlder v1 v2;

  getName = x:
    if isString x then (parseDrvName x).name
    else x.pname or (parseDrvName x.name).name;

  getVersion = x:
    if isString x then (parseDrvName x).version
    else x.version or (parseDrvName x.name).version;

  nameFromURL = url: sep:
    let
      filename = lib.lists.last (splitString "/" url);
      name = head (splitString sep filename);
    in assert name != filename; name;

  # Make an arbitrary string usable as a derivation name.
  sanitizeDerivationName = string:
    if stringLength string <= 207
      && match "[[:alnum:]+_?=-][[:alnum:]+._?=-]*" string != null
    then builtins.unsafeDiscardStringContext string
    else
      let
        noContext = builtins.unsafeDiscardStringContext string;
        noDots = head (match "\\.*(.*)" noContext);
        pieces = split "[^[:alnum:]+._?=-]+" noDots;
        joined = concatMapStrings (p: if isList p then "-" else p) pieces;
        len = stringLength joined;
        short = substring (lib.trivial.max (len - 207) 0) (-1) joined;
      in if short == "" then "unknown" else short;

  ## Configure-flag helpers

  enableFeature = flag: feature:
    assert isString feature;
    "--${if flag then "enable" else "disable"}-${feature}";
  enableFeatureAs = flag: feature: value:
    lib.strings.enableFeature flag feature + (if flag then "=${value}" else "");
  withFeature = flag: feature:
    assert isString feature;
    "--${if flag then "with" else "without"}-${feature}";
  withFeatureAs = flag: feature: value:
    lib.strings.withFeature flag feature + (if flag then "=${value}" else "");

  mesonOption = feature: value:
    assert isString feature && isString value;
    "-D${feature}=${value}";
  mesonBool = condition: flag:
    lib.strings.mesonOption condition (if flag then "true" else "false");
  mesonEnable = feature: flag:
    lib.strings.mesonOption feature (if flag then "enabled" else "disabled");

  cmakeOptionType = type: feature: value:
    assert builtins.elem (lib.strings.toUpper type)
      [ "BOOL" "FILEPATH" "PATH" "STRING" "INTERNAL" ];
    assert isString feature && isString value;
    "-D${feature}:${lib.strings.toUpper type}=${value}";
  cmakeBool = condition: flag:
    lib.strings.cmakeOptionType "bool" condition (if flag then "TRUE" else "FALSE");
  cmakeFeature = feature: value:
    lib.strings.cmakeOptionType "string" feature value;

  ## Numbers

  fixedWidthNumber = width: n: fixedWidthString width "0" (toString n);

  floatToString = float:
    let
      result = toString float;
      precise = float == fromJSON result;
    in lib.trivial.warnIf (!precise) "Imprecise conversion from float to string ${result}" result;

  # Base-10 integer with optional surrounding whitespace and sign; a leading
  # zero is rejected as ambiguous (octal?).
  toInt = str:
    let
      m = match "[[:space:]]*(-?[[:digit:]]+)[[:space:]]*" str;
      digits = head m;
      parsed = fromJSON digits;
      generalError = "toInt: Could not convert ${escapeNixString str} to int.";
    in
    if m == null then throw generalError
    else if match "-?0[[:digit:]]+" digits != null then
      throw "toInt: Ambiguity in interpretation of ${escapeNixString str} between octal and zero padded integer."
    else if !isInt parsed then throw generalError
    else parsed;

  # Like toInt, but leading zeros are padding.
  toIntBase10 = str:
    let
      m = match "[[:space:]]*(-?)0*([[:digit:]]+)[[:space:]]*" str;
      sign = elemAt m 0;
      digits = elemAt m 1;
      # The zeros before the last digit were padding.
      stripped = head (match "0*([[:digit:]]+)" digits);
      parsed = fromJSON (sign + stripped);
      generalError = "toIntBase10: Could not convert ${escapeNixString str} to int.";
    in
    if m == null then throw generalError
    else if match "0+" digits != null then 0
    else if !isInt parsed then throw generalError
    else parsed;
}
