[
  "plain ${"antiquote"} $notantiquote $${literal} \${escaped}"
  ''
    indented ''${literal} '''quotes''' ''\n
    $notantiquote $$
  ''
  ''''
  ""
  "multi
line"
  "${"nested ${"deeper ${"deepest"}"}"}"
]
