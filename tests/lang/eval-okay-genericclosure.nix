builtins.genericClosure {
  startSet = [ { key = 5; } { key = 3; } { key = 5; extra = "dup start"; } ];
  operator = item:
    if item.key <= 1 then [ ]
    else [ { key = item.key - 1; } { key = item.key - 2; from = item.key; } ];
}
