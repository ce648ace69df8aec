{
  x = true;
}
