{
  x = { name = "not-a-drv"; };
}
