{ n, s, unused ? throw "not forced" }:
{
  result = { inherit n s; sum = n + 1; };
  other = throw "not selected";
}
