# builtins.hashString and builtins.hashFile: base-16 digests; the string's
# context does not matter and the result has none.
let
  ctx = builtins.appendContext "abc" {
    "/nix/store/ffffffffffffffffffffffffffffffff-x" = { path = true; };
  };
in
{
  md5 = builtins.hashString "md5" "abc";
  sha1 = builtins.hashString "sha1" "abc";
  sha256 = builtins.hashString "sha256" "abc";
  sha512 = builtins.hashString "sha512" "abc";
  empty = builtins.hashString "sha256" "";
  withContext = builtins.hashString "sha256" ctx;
  resultHasContext = builtins.hasContext (builtins.hashString "sha256" ctx);
  file = builtins.hashFile "sha256" ./data/hash-input.txt;
  fileMd5 = builtins.hashFile "md5" ./data/hash-input.txt;
  fileAsString = builtins.hashFile "sha1" "${toString ./data/hash-input.txt}";
  fileSameAsString = builtins.hashFile "sha512" ./data/hash-input.txt
    == builtins.hashString "sha512" (builtins.readFile ./data/hash-input.txt);
}
