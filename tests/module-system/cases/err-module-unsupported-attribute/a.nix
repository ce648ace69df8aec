{
  config = { };
  foo = 2;
}
