{
  flag = true;
}
