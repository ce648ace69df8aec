{
  enabel = true;
}
