# Picking version strings apart, with nixpkgs' lib.versions names:
# components are split by builtins.splitVersion ("1.2.3pre" ->
# [ "1" "2" "3" "pre" ]).
{ lib }:
let
  inherit (builtins) splitVersion elemAt concatStringsSep genList;
in
{
  inherit splitVersion;

  major = v: elemAt (splitVersion v) 0;
  minor = v: elemAt (splitVersion v) 1;
  patch = v: elemAt (splitVersion v) 2;

  majorMinor = v: concatStringsSep "." (lib.lists.take 2 (splitVersion v));

  # Pad or truncate the numeric part to n components, keeping any "-suffix".
  pad = n: version:
    let
      numeric = builtins.head (lib.strings.splitString "-" version);
      suffix = lib.strings.removePrefix numeric version;
      parts = splitVersion numeric ++ genList (_: "0") n;
    in concatStringsSep "." (lib.lists.take n parts) + suffix;
}
