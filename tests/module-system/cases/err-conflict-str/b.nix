{
  # padding line
  name = "beta";
}
