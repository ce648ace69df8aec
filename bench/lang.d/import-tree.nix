# Import a generated 2,000-file tree (bench/lang.d/gen-tree.sh writes it next
# to a copy of this file); forcing the folds imports every file once.
let
  t = import ./tree;
in
"${toString t.count} files, id sum ${toString t.total}, name chars ${toString t.names}"
