# Small general-purpose helpers: combinators, booleans, numbers, warnings
# and assertions, fixed points, function-argument reflection, the release
# identifiers, and the documentation markers options use (literalExpression,
# literalMD, mdDoc). Names and behaviour follow nixpkgs' lib.trivial (plus
# lib.asserts and lib.fixedPoints, which firn keeps here).
{ lib }:
let
  inherit (builtins) isAttrs isInt isString elem getEnv trace;

  release = "24.05";
  versionSuffix = "-firn";

  # Warnings go to stderr through builtins.trace; NIX_ABORT_ON_WARN turns
  # them into errors, as in nixpkgs.
  abortOnWarn = elem (getEnv "NIX_ABORT_ON_WARN") [ "1" "true" "yes" ];

  warn =
    if abortOnWarn then
      msg: _: trace "warning: ${msg}"
        (abort "NIX_ABORT_ON_WARN=true; warnings are treated as unrecoverable errors.")
    else
      msg: trace "warning: ${msg}";

  isFunction = f: builtins.isFunction f
    || (isAttrs f && f ? __functor && isFunction (f.__functor f));

  functionArgs = f:
    if isAttrs f && f ? __functor
    then f.__functionArgs or (functionArgs (f.__functor f))
    else builtins.functionArgs f;

  setFunctionArgs = f: args: {
    __functor = _: f;
    __functionArgs = args;
  };

  # Digits of a non-negative integer in the given base, most significant
  # first.
  toBaseDigits = base: i:
    assert isInt base && isInt i && base >= 2 && i >= 0;
    let
      go = n: acc:
        if n < base then [ n ] ++ acc
        else go (n / base) ([ (n - (n / base) * base) ] ++ acc);
    in go i [ ];

  hexDigits = [ "0" "1" "2" "3" "4" "5" "6" "7" "8" "9" "A" "B" "C" "D" "E" "F" ];

  fix = f: let x = f x; in x;

  fix' = f: let x = f x // { __unfix__ = f; }; in x;

  extends = overlay: f: final:
    let prev = f final; in prev // overlay final prev;

  composeExtensions = f: g: final: prev:
    let
      fApplied = f final prev;
      prev' = prev // fApplied;
    in fApplied // g final prev';

  makeExtensibleWithCustomName = extenderName: rattrs:
    fix' (self: rattrs self // {
      ${extenderName} = f: makeExtensibleWithCustomName extenderName (extends f rattrs);
    });

  assertMsg = pred: msg: pred || builtins.throw msg;
in
{
  ## Combinators

  id = x: x;
  const = x: _: x;
  flip = f: a: b: f b a;
  # pipe x [ f g h ] == h (g (f x))
  pipe = builtins.foldl' (x: f: f x);
  concat = x: y: x ++ y;
  "or" = x: y: x || y;
  "and" = x: y: x && y;
  xor = x: y: (!x) != (!y);
  mergeAttrs = x: y: x // y;
  mapNullable = f: a: if a == null then a else f a;

  inherit (builtins)
    seq deepSeq bitAnd bitOr bitXor add sub lessThan
    pathExists readFile typeOf
    isBool isInt isFloat isString isList isAttrs isPath
    genericClosure;

  bitNot = builtins.sub (-1);

  boolToString = b: if b then "true" else "false";

  ## Numbers

  min = x: y: if x < y then x else y;
  max = x: y: if x > y then x else y;
  # Remainder with the sign of the dividend, like C's %.
  mod = base: int: base - (int * (builtins.div base int));
  compare = a: b: if a < b then -1 else if a > b then 1 else 0;

  # Compare with `yes` when both satisfy p, with `no` when neither does;
  # values satisfying p sort first.
  splitByAndCompare = p: yes: no: a: b:
    if p a
    then (if p b then yes a b else -1)
    else (if p b then 1 else no a b);

  inherit toBaseDigits;

  toHexString = i:
    builtins.concatStringsSep "" (map (d: builtins.elemAt hexDigits d) (toBaseDigits 16 i));

  fromHexString = value:
    let
      lower = lib.strings.toLower value;
      digits = lib.strings.removePrefix "0x" lower;
    in (builtins.fromTOML "v=0x${digits}").v;

  ## Release identifiers

  inherit release versionSuffix;
  version = release + versionSuffix;
  codeName = "Uakari";
  oldestSupportedRelease = 2311;
  isInOldestRelease = r: r <= 2311;
  revisionWithDefault = default: default;
  inNixShell = false;

  ## Files

  importJSON = path: builtins.fromJSON (builtins.readFile path);
  importTOML = path: builtins.fromTOML (builtins.readFile path);

  ## Warnings, errors and assertions

  inherit warn;
  warnIf = cond: msg: if cond then warn msg else x: x;
  warnIfNot = cond: msg: if cond then x: x else warn msg;
  info = msg: trace "INFO: ${msg}";
  showWarnings = warnings: res: lib.foldr (w: x: warn w x) res warnings;

  # Tracing (nixpkgs' lib.debug).
  traceIf = pred: msg: x: if pred then trace msg x else x;
  traceValFn = f: x: trace (f x) x;
  traceVal = x: trace x x;
  traceSeq = x: y: trace (builtins.deepSeq x x) y;
  traceValSeq = x: trace (builtins.deepSeq x x) x;

  throwIf = cond: msg: if cond then throw msg else x: x;
  throwIfNot = cond: msg: if cond then x: x else throw msg;

  # `assert assertMsg p "why"; …` fails with "why" instead of a bare
  # assertion error.
  inherit assertMsg;

  assertOneOf = name: val: xs:
    assertMsg (elem val xs)
      "${name} must be one of ${lib.generators.toPretty { } xs}, but is: ${lib.generators.toPretty { } val}";

  assertEachOneOf = name: vals: xs:
    assertMsg (lib.all (val: elem val xs) vals)
      "each element in ${name} must be one of ${lib.generators.toPretty { } xs}, but is: ${lib.generators.toPretty { } vals}";

  checkListOfEnum = msg: valid: given:
    let
      unexpected = lib.subtractLists valid given;
      show = l: builtins.concatStringsSep ", " (map toString l);
    in
    lib.throwIfNot (unexpected == [ ])
      "${msg}: ${show unexpected} unexpected; valid ones: ${show valid}";

  ## Functions as values

  inherit isFunction functionArgs setFunctionArgs;

  # Give g the same reported arguments as f (for wrappers that pass
  # everything through).
  mirrorFunctionArgs = f: g: setFunctionArgs g (functionArgs f);

  toFunction = v: if isFunction v then v else _: v;

  ## Fixed points and extensions

  inherit fix fix' extends composeExtensions makeExtensibleWithCustomName;

  composeManyExtensions = lib.foldr composeExtensions (_: _: { });

  makeExtensible = makeExtensibleWithCustomName "extend";

  # Iterate f from x until f x == x.
  converge = f: x:
    let x' = f x; in if x' == x then x else lib.converge f x';

  ## Typed values and documentation markers

  isType = type: x: (x._type or "") == type;
  setType = typeName: value: value // { _type = typeName; };

  literalExpression = text:
    if !isString text then throw "literalExpression expects a string."
    else { _type = "literalExpression"; inherit text; };

  # Older spelling, still found in third-party modules.
  literalExample = text:
    if !isString text then throw "literalExample expects a string."
    else { _type = "literalExpression"; inherit text; };

  literalMD = text:
    if !isString text then throw "literalMD expects a string."
    else { _type = "literalMD"; inherit text; };

  # Option descriptions are Markdown already; kept for old modules.
  mdDoc = x: x;
}
