{
  nullable = null;
}
