{
  s.prot = 1;
}
