{
  # padding line
  ratio = 2.5;
}
