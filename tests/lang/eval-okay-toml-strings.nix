# fromTOML strings: basic escapes (\b and \f come through raw), \u and \U,
# multi-line basic strings with line-ending backslashes and up to two extra
# closing quotes, literal and multi-line literal strings, quoted keys.
builtins.fromTOML
  "basic = \"tab\\t quote\\\" backslash\\\\ nl\\n cr\\r e\\u00e9 smile\\U0001F600\"\nbf = \"b\\bf\\f\"\nml = \"\"\"\nfirst\nsecond\"\"\"\njoined = \"\"\"\\\n    The quick \\\n    brown fox \\\n    jumps.\"\"\"\nquotes1 = \"\"\"a\"\"\"\"\nquotes2 = \"\"\"a\"\"\"\"\"\ninner = \"\"\"Here are two quotation marks: \"\". Three: \"\"\\\".\"\"\"\nlit = 'C:\\Users\\nodejs\\templates'\nmllit = '''\nraw \\n text\n   indented'''\nmllitq = ''''a'''''\nempty = \"\"\nemptylit = '''\n'''\n\"quoted key\" = 1\n'literal.key' = 2\n\"\" = \"empty key\"\nutf8 = \"é😀\"\ndollar = \"\${x}\"\n"
