{
  u = "same";
}
