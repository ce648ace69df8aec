# How nix-instantiate prints attribute names that are keywords.
{ "if" = 1; or = 2; "let" = 3; "then" = 4; "inherit" = 5; "rec" = 6; "with" = 7;
  "assert" = 8; "in" = 9; "else" = 10; "true" = 11; "null" = 12; "__curPos" = 13; }
