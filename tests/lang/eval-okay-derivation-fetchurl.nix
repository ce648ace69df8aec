# <nix/fetchurl.nix>: Nix's built-in fetchurl derivation (builtin:fetchurl).
let
  fetchurl = import <nix/fetchurl.nix>;
  f = fetchurl { url = "https://example.org/dist/pkg-1.0.tar.gz"; sha256 = "0wkcqjj7y2zyc8c1rs5c6q8ypvdyd0bvy8h2ryfbzxs3c4dxpl6h"; };
  g = fetchurl { url = "https://example.org/x"; hash = "sha512-4zp9uJmxtpjHOhqIeo0c8Z1pWwcdm3R7xIBFc5fJUZGXqg1Pd0ngnIf2vpTwNSfrWAlzmeH8EJ9qt3OXTVVdZw=="; executable = true; name = "tool"; };
  h = fetchurl { url = "https://example.org/y.zip"; sha1 = "f572d396fae9206628714fb2ce00f72e94f2258f"; unpack = true; };
in {
  args = builtins.functionArgs fetchurl;
  attrs = removeAttrs f.drvAttrs [ ];
  paths = map (d: [ d.drvPath d.outPath d.name ]) [ f g h ];
  same = import <nix/fetchurl.nix> == fetchurl;
}
