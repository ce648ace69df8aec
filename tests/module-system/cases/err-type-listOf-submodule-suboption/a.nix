{
  l = [ { a = "not an int"; } ];
}
