# builtins.convertHash (added after Nix 2.8; semantics of the current Nix
# manual): { hash; hashAlgo ? …; toHashFormat; }, the input in any format,
# its algorithm from a prefix or from hashAlgo.
let
  sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  to = toHashFormat: args: builtins.convertHash (args // { inherit toHashFormat; });
in
{
  base16ToNix32 = to "nix32" { hash = sha256; hashAlgo = "sha256"; };
  base16ToBase32Alias = to "base32" { hash = sha256; hashAlgo = "sha256"; };
  base16ToBase64 = to "base64" { hash = sha256; hashAlgo = "sha256"; };
  base16ToSri = to "sri" { hash = sha256; hashAlgo = "sha256"; };
  prefixedToSri = to "sri" { hash = "sha256:${sha256}"; };
  nix32ToSri = to "sri" { hash = "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s"; hashAlgo = "sha256"; };
  sriToBase16 = to "base16" { hash = "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="; };
  sriAgreeingAlgo = to "base16" { hash = "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="; hashAlgo = "sha256"; };
  base64ToBase16 = to "base16" { hash = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="; hashAlgo = "sha256"; };
  sha1ToNix32 = to "nix32" { hash = "800d59cfcd3c05e900cb4e214be48f6b886a08df"; hashAlgo = "sha1"; };
  sha1SriToBase16 = to "base16" { hash = "sha1-gA1Zz808BekAy04hS+SPa4hqCN8="; };
  md5ToNix32 = to "nix32" { hash = "md5:900150983cd24fb0d6963f7d28e17f72"; };
  sha512ToSri = to "sri" { hash = builtins.hashString "sha512" "abc"; hashAlgo = "sha512"; };
}
