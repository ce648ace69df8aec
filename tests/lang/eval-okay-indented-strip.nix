# Indentation stripping: the minimum indentation of non-blank lines is
# removed; tabs are not indentation; blank and whitespace-only lines do not
# count; the last line's whitespace before '' is dropped.
[
  ''
      four
    two
        six
  ''
  ''
    a

        b
  ''
  ''
	tab-indented
    space-indented
  ''
  ''
    x
       
    y
  ''
  ''
    ${"interpolated at start"} and
      ${"indented"}
  ''
  ''
    last line without newline''
  ''

    leading blank line''
]
