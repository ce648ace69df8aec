# --strict forces the list element; throw carries no position in Nix 2.8.
{
  a = [ 1 (throw "boom: ${toString 42}") ];
}
