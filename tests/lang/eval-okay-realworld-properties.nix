# A miniature of a module system's definition processing: mkMerge/mkIf
# discharge, override priorities (lowest number wins, ties keep order) and
# stable sorting by order priority.
let
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkMerge = contents: { _type = "merge"; inherit contents; };
  mkOverride = priority: content: { _type = "override"; inherit priority content; };
  mkOrder = priority: content: { _type = "order"; inherit priority content; };
  discharge = def:
    if def._type or "" == "merge" then builtins.concatMap discharge def.contents
    else if def._type or "" == "if" then
      (if def.condition then discharge def.content else [ ])
    else [ def ];
  prio = d: if d.value._type or "" == "override" then d.value.priority else 100;
  filterOverrides = defs:
    let best = builtins.foldl' (p: d: if prio d < p then prio d else p) 9999 defs;
    in map (d: if d.value._type or "" == "override" then d // { value = d.value.content; } else d)
       (builtins.filter (d: prio d == best) defs);
  sortProps = defs:
    let strip = d: if d.value._type or "" == "order"
                   then d // { value = d.value.content; inherit (d.value) priority; } else d;
    in builtins.sort (a: b: (a.priority or 1000) < (b.priority or 1000)) (map strip defs);
  defs = builtins.concatMap (m: map (value: { inherit (m) file; inherit value; }) (discharge m.value)) [
    { file = "a"; value = mkMerge [ [ 1 ] (mkIf true [ 2 ]) (mkIf false [ 99 ]) ]; }
    { file = "b"; value = mkOrder 500 [ 0 ]; }
    { file = "c"; value = mkIf true (mkMerge [ (mkOrder 1500 [ 9 ]) [ 3 ] ]); }
    { file = "d"; value = mkOverride 1000 [ 42 ]; }
  ];
  final = sortProps (filterOverrides defs);
in {
  values = builtins.concatLists (map (d: d.value) final);
  files = map (d: d.file) final;
  forced = map (d: d.value) (filterOverrides [
    { file = "x"; value = mkOverride 50 "force"; }
    { file = "y"; value = "normal"; }
    { file = "z"; value = mkOverride 50 "force2"; }
  ]);
}
