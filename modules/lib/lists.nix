# List helpers with nixpkgs' lib.lists names and behaviour. Builtins are
# re-exported where they already do the job; most of the rest is built on
# genList/elemAt/builtins.foldl' rather than recursion. foldr and foldl stay
# recursive (one level per element), as in nixpkgs, for their laziness.
{ lib }:
let
  inherit (builtins)
    length elemAt head tail genList filter elem concatMap concatLists
    isList sort lessThan;

  foldr = op: nul: list:
    let
      len = length list;
      go = n: if n == len then nul else op (elemAt list n) (go (n + 1));
    in go 0;

  # Lazy in the accumulator, like nixpkgs' foldl (builtins.foldl' forces
  # every intermediate value).
  foldl = op: nul: list:
    let
      go = n: if n == -1 then nul else op (go (n - 1)) (elemAt list n);
    in go (length list - 1);

  # builtins.foldl' leaves the initial accumulator unforced; nixpkgs' foldl'
  # forces it, so a bad initial value fails even on an empty list.
  foldl' = op: acc: builtins.seq acc (builtins.foldl' op acc);

  sublist = start: count: list:
    let
      len = length list;
      n =
        if start >= len then 0
        else if start + count > len then len - start
        else count;
    in genList (i: elemAt list (i + start)) n;

  take = count: sublist 0 count;

  drop = count: list: sublist count (length list) list;

  range = first: last:
    if first > last then [ ] else genList (n: first + n) (last - first + 1);

  imap1 = f: list: genList (n: f (n + 1) (elemAt list n)) (length list);

  reverseList = xs:
    let l = length xs; in genList (n: elemAt xs (l - n - 1)) l;

  # Index of the first element satisfying pred, or default. pred is not
  # called on elements after the first match.
  findFirstIndex = pred: default: list:
    let
      # Negative while searching (-1 - next index); the index once found.
      r = builtins.foldl'
        (acc: x:
          if acc >= 0 then acc
          else if pred x then -acc - 1
          else acc - 1)
        (-1)
        list;
    in if r < 0 then default else r;

  compareLists = cmp: a: b:
    let
      la = length a;
      lb = length b;
      go = i:
        if i == la then (if i == lb then 0 else -1)
        else if i == lb then 1
        else
          let rel = cmp (elemAt a i) (elemAt b i);
          in if rel == 0 then go (i + 1) else rel;
    in go 0;

  listDfs = stopOnCycles: before: list:
    let
      dfs' = us: visited: rest:
        let
          c = filter (x: before x us) visited;
          b = builtins.partition (x: before x us) rest;
        in
        if stopOnCycles && c != [ ] then
          { cycle = us; loops = c; inherit visited rest; }
        else if b.right == [ ] then
          { minimal = us; inherit visited rest; }
        else
          dfs' (head b.right) ([ us ] ++ visited) (tail b.right ++ b.wrong);
    in dfs' (head list) [ ] (tail list);

  toposort = before: list:
    let
      dfsthis = listDfs true before list;
      toporest = toposort before (dfsthis.visited ++ dfsthis.rest);
    in
    if length list < 2 then { result = list; }
    else if dfsthis ? cycle then {
      cycle = reverseList ([ dfsthis.cycle ] ++ dfsthis.visited);
      inherit (dfsthis) loops;
    }
    else if toporest ? cycle then toporest
    else { result = [ dfsthis.minimal ] ++ toporest.result; };

  unique = builtins.foldl' (acc: e: if elem e acc then acc else acc ++ [ e ]) [ ];
in
{
  inherit (builtins)
    length elemAt head tail genList filter elem concatMap concatLists map
    any all partition sort;

  # groupBy appeared in Nix 2.5; keep a fallback for older evaluators.
  groupBy = builtins.groupBy or (pred: foldl' (r: e:
    let key = pred e; in r // { ${key} = (r.${key} or [ ]) ++ [ e ]; }) { });

  groupBy' = op: nul: pred: lst:
    builtins.mapAttrs (_: foldl op nul) (lib.lists.groupBy pred lst);

  singleton = x: [ x ];
  forEach = xs: f: map f xs;

  inherit foldr foldl foldl';
  fold = foldr;

  imap0 = f: list: genList (n: f n (elemAt list n)) (length list);
  inherit imap1;

  ifilter0 = ipred: input:
    map (i: elemAt input i)
      (filter (i: ipred i (elemAt input i)) (genList (i: i) (length input)));

  flatten = x: if isList x then concatMap lib.lists.flatten x else [ x ];

  remove = e: filter (x: x != e);

  findSingle = pred: default: multiple: list:
    let found = filter pred list; in
    if found == [ ] then default
    else if length found != 1 then multiple
    else head found;

  inherit findFirstIndex;

  findFirst = pred: default: list:
    let i = findFirstIndex pred null list; in
    if i == null then default else elemAt list i;

  count = pred: builtins.foldl' (c: x: if pred x then c + 1 else c) 0;

  optional = cond: elem: if cond then [ elem ] else [ ];
  optionals = cond: elems: if cond then elems else [ ];

  toList = x: if isList x then x else [ x ];

  inherit range;
  replicate = n: elem: genList (_: elem) n;

  zipListsWith = f: fst: snd:
    genList (n: f (elemAt fst n) (elemAt snd n))
      (lib.trivial.min (length fst) (length snd));

  zipLists = lib.lists.zipListsWith (fst: snd: { inherit fst snd; });

  inherit reverseList listDfs toposort;

  sortOn = f: list:
    let
      # Compute each key once.
      pairs = map (x: [ (f x) x ]) list;
    in map (p: elemAt p 1) (sort (a: b: lessThan (head a) (head b)) pairs);

  inherit compareLists;

  # Sort strings so embedded numbers compare by value ("a2" < "a10").
  naturalSort = lst:
    let
      vectorise = s: map (x: if isList x then lib.strings.toInt (head x) else x)
        (builtins.split "(0|[1-9][0-9]*)" s);
      prepared = map (x: [ (vectorise x) x ]) lst;
      less = a: b: compareLists lib.trivial.compare (head a) (head b) < 0;
    in map (x: elemAt x 1) (sort less prepared);

  inherit sublist take drop;

  # The list prefix/suffix helpers; lib.hasPrefix at top level is the string
  # one (strings.nix is merged after this file).
  hasPrefix = list1: list2: take (length list1) list2 == list1;

  removePrefix = list1: list2:
    if take (length list1) list2 == list1
    then drop (length list1) list2
    else throw "lib.lists.removePrefix: First argument is not a list prefix of the second argument";

  commonPrefix = list1: list2:
    let
      n = lib.trivial.min (length list1) (length list2);
      i = findFirstIndex (j: elemAt list1 j != elemAt list2 j) n (genList (j: j) n);
    in take i list1;

  last = list:
    assert lib.trivial.assertMsg (list != [ ]) "lists.last: list must not be empty!";
    elemAt list (length list - 1);

  init = list:
    assert lib.trivial.assertMsg (list != [ ]) "lists.init: list must not be empty!";
    take (length list - 1) list;

  crossLists = f: foldl (fs: args: concatMap (f: map f args) fs) [ f ];

  inherit unique;
  allUnique = list: length (unique list) == length list;

  intersectLists = e: filter (x: elem x e);
  subtractLists = e: filter (x: !(elem x e));

  mutuallyExclusive = a: b: a == [ ] || !(builtins.any (x: elem x a) b);
}
