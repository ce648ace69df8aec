{
  extra = 4242;
}
