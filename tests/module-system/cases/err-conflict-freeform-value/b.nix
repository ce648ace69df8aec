{
  # padding line
  extra = "two";
}
