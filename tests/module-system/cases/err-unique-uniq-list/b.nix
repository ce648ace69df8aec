{
  # padding line
  u = [ 2222 ];
}
