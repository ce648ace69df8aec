{
  # padding line
  u = "same";
}
