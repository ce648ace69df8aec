{
  a = "no end;
}
