{
  r = "first";
}
