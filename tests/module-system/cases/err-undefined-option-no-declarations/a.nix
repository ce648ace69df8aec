{
  foo = 1;
}
