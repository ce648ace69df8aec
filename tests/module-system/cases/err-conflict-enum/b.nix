{
  # padding line
  mode = "slow";
}
