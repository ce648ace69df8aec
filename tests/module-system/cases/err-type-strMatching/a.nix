{
  x = "ABC";
}
