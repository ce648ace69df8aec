{
  # padding line
  flag = false;
}
