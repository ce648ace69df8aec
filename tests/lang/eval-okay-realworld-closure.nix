# Module-collection style graph walking with genericClosure (string keys,
# duplicates and a disabled set) next to a hand-written lazy closure.
let
  graph = { a = [ "b" "c" ]; b = [ "d" ]; c = [ "d" "a" ]; d = [ ]; e = [ "a" ]; };
  disabled = [ "c" ];
  keep = builtins.filter (n: !builtins.elem n.key disabled);
  closure = builtins.genericClosure {
    startSet = keep [ { key = "e"; } { key = "e"; } ];
    operator = n: keep (map (k: { key = k; }) graph.${n.key});
  };
  lazy = { startSet, operator }:
    let work = list: done: result:
      if list == [ ] then result
      else let x = builtins.head list; in
        if builtins.elem x.key done then work (builtins.tail list) done result
        else work (builtins.tail list ++ operator x) ([ x.key ] ++ done) ([ x ] ++ result);
    in work startSet [ ] [ ];
in {
  keys = map (n: n.key) closure;
  lazyKeys = map (n: n.key) (lazy { startSet = [ { key = "e"; } ]; operator = n: map (k: { key = k; }) graph.${n.key}; });
}
