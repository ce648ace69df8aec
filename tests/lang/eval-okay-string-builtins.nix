with builtins;
[
  (substring 1 3 "hello")
  (substring 3 100 "hello")
  (substring 10 2 "hello")
  (substring 0 (-1) "hello")        # negative length: to the end
  (stringLength "é😀")              # bytes, not characters
  (replaceStrings [ "" ] [ "-" ] "abc")
  (replaceStrings [ "a" "aa" ] [ "1" "2" ] "aaa")
  (replaceStrings [ "aa" "a" ] [ "2" "1" ] "aaa")
  (replaceStrings [ "x" ] [ "" ] "xaxbx")
  (concatStringsSep ", " [ "a" "b" "c" ])
  (concatStringsSep "-" [ ])
  (toString [ 1 "a" [ true null ] false 1.5 ])
  (toString null)
  (toString true)
  (baseNameOf "/a/b/c.nix")
  (baseNameOf "/a/b/")
  (dirOf "/a/b/c")
  (dirOf "a")
  (dirOf "/")
  (hashString "sha256" "")
  (hashString "md5" "abc")
  (hashString "sha1" "abc")
  (hashString "sha512" "abc")
  (unsafeDiscardStringContext "plain")
  (stringLength (toString 1.0e20))
]
