{
  users.alice.nmae = "Alice";
}
