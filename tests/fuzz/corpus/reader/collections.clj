; Lists, vectors, maps and sets, nested, with commas and odd whitespace.
()
(a)
(a b c)
(1 (2 (3 (4 ()))))
[]
[1 2 3]
[[] [[]] [[[]]]]
{}
{:a 1}
{:a 1, :b 2, :c 3}
{:a 1 :b 2 :c 3 :d 4 :e 5 :f 6 :g 7 :h 8}
{:a 1 :b 2 :c 3 :d 4 :e 5 :f 6 :g 7 :h 8 :i 9}
{"x" [1 {2 #{3}}] nil (nil) [nil] 1.5 {} :end}
#{}
#{1}
#{1 2 3 4 5 6 7 8 9 10 11 12}
#{:a "b" \c 4 5.0 nil [6] (7) {8 9}}
[1,2,,,3 , 4]
(	a	b	)
[a
 b

 c]
{[1 2] [3 4], (5) #{6}}
(nil true false)
[nil true false nil]
{nil nil true false}
[a b ; a comment inside
 c]
#! a shebang-style comment
(x #_ y z)
(x #_#_ y z w)
[#_ 1]
#_ (ignored form) kept
(def m {:k 1})
