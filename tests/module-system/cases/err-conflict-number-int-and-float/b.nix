{
  # padding line
  n = 1.0;
}
