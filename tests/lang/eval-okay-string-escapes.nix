# How strings are escaped when printed: \ " \n \r \t and ${ are escaped,
# everything else (UTF-8, other control characters, a lone $) is printed raw.
[
  "tab\there"
  "newline\nhere"
  "cr\rhere"
  "backslash\\here"
  "quote\"here"
  "dollar-brace \${here} and lone $ and $$"
  "unknown escape \q is just q"
  "utf-8: é ∀ 😀"
  (builtins.fromJSON ''"\u0001\u001f"'')
  ''$''${x}''
]
