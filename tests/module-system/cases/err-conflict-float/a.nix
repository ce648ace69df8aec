{
  ratio = 1.5;
}
