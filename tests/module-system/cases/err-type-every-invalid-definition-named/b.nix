{
  # padding line
  x = "second";
}
