let
  s = { good = 1; bad = throw "never forced"; };
  l = [ 1 (throw "never forced") ];
in
[
  s.good
  (builtins.length l)
  (builtins.attrNames s)
  (builtins.tryEval (throw "caught"))
  (builtins.tryEval (assert false; 1))
  (builtins.tryEval 42)
  (builtins.tryEval (builtins.deepSeq [ (throw "deep") ] 1))
  (builtins.seq 1 2)
  ((x: 3) (throw "argument not forced"))
  (({ a ? throw "default not forced", b }: b) { b = 4; })
  (builtins.isFunction (builtins.genList (throw "f")))
]
