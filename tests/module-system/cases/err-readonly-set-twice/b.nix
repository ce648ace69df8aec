{
  # padding line
  ro = "two";
}
