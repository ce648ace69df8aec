{
  x = "first";
}
