{
  x = "relative/file";
}
