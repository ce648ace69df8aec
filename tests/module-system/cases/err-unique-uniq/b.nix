{
  # padding line
  u = 5;
}
