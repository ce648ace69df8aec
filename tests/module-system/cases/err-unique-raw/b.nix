{
  # padding line
  r = "second";
}
