{
  # padding line
  nullable = 5;
}
