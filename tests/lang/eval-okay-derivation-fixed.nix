# Fixed-output derivations: hash algorithms and encodings, flat and
# recursive; the output path depends on the declared hash only.
let
  fod = name: attrs: derivation ({ inherit name; system = "x86_64-linux"; builder = "/bin/sh"; } // attrs);
  hello = {
    sha256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    sha256-nix32 = "0wkcqjj7y2zyc8c1rs5c6q8ypvdyd0bvy8h2ryfbzxs3c4dxpl6h";
    sha256-sri = "sha256-WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=";
    sha1 = "f572d396fae9206628714fb2ce00f72e94f2258f";
    md5 = "b1946ac92492d2347c6235b4d2611184";
    sha512-sri = "sha512-4zp9uJmxtpjHOhqIeo0c8Z1pWwcdm3R7xIBFc5fJUZGXqg1Pd0ngnIf2vpTwNSfrWAlzmeH8EJ9qt3OXTVVdZw==";
  };
  paths = d: { inherit (d) drvPath outPath; };
in builtins.mapAttrs (n: paths) {
  flat-hex = fod "f" { outputHashAlgo = "sha256"; outputHash = hello.sha256; };
  flat-nix32 = fod "f" { outputHashAlgo = "sha256"; outputHash = hello.sha256-nix32; outputHashMode = "flat"; };
  flat-sri = fod "f" { outputHash = hello.sha256-sri; };
  flat-prefixed = fod "f" { outputHash = "sha256:${hello.sha256}"; };
  recursive = fod "f" { outputHash = hello.sha256-sri; outputHashMode = "recursive"; };
  sha1 = fod "f" { outputHashAlgo = "sha1"; outputHash = hello.sha1; };
  sha1-r = fod "f" { outputHashAlgo = "sha1"; outputHash = hello.sha1; outputHashMode = "recursive"; };
  md5 = fod "f" { outputHashAlgo = "md5"; outputHash = hello.md5; };
  sha512 = fod "f" { outputHashAlgo = "sha512"; outputHash = hello.sha512-sri; outputHashMode = "recursive"; };
  other-builder = fod "f" { outputHashAlgo = "sha256"; outputHash = hello.sha256; builder = "/bin/bash"; };
  uses-fixed = fod "u" { f = fod "f" { outputHashAlgo = "sha256"; outputHash = hello.sha256; }; };
  uses-fixed-variant = fod "u" { f = fod "f" { outputHashAlgo = "sha256"; outputHash = hello.sha256; builder = "/bin/bash"; }; };
}
