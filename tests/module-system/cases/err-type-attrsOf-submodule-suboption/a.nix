{
  users.bob.uid = "1000";
}
