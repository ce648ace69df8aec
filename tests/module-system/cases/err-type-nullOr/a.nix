{
  x = "text";
}
