; Strings with every escape, unicode text and raw newlines.
""
"plain"
"with \"quotes\" and \\ backslash"
"tab\there"
"newline\nhere"
"return\rhere"
"backspace\bhere"
"formfeed\fhere"
"\u0041\u00e9\u4e2d\u0000end"
"\ud83d\ude00 surrogate pair"
"octal \101\102\103 \0 \7 \12 \377"
"café naïve 中文 日本語 한국어"
"emoji 😀 🎉 raw"
"multi
line
string"
"  leading and trailing spaces  "
"semicolon ; not a comment"
"hash #{not a set} (not a list)"
["a" "b" "c"]
{"key" "value"}
"\\n is not a newline"
"unicode escape at end \u263A"
