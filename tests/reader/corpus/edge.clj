;; Edge cases of the token grammar, numbers, escapes, collections, dispatch
;; macros and syntax-quote: every line here reads without error on the JVM.
:a/b/c
foo//
clojure.core//
:/
a#b#
.
..
...
.5
-.5
+.5
1.
1.e5
-1N
+1N
01/2
0.1e-2M
1.0E-10M
\uffff
\o
\o0
\o00
"\u00E9"
"\0"
"\01"
"\012"
"\0123"
"\377"
#{nil}
#{nil false}
{nil 1}
[:a :b :c :d :e :f :g :h :i :j :k :l :m :n :o :p :q]
{1 2, 3 4, 5 6, 7 8, 9 10, 11 12, 13 14, 15 16, 17 18}
#{1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33}
{1 :a 1.0 :b}
#_ 1
#!
#! foo
#?(:kiln #?@(:kiln [1 2]))
(#?@(:kiln [1 #?@(:kiln [2 3])]))
#?(:default 1 :kiln 2)
#?( )
#?(:foo 1)
#?@(:foo [1])
[#?@(:kiln [])]
[#?@(:kiln ())]
#:a{}
#:a{1 2}
#::{}
#:_{:b 1}
#:a{_/b 1}
#uuid "550e8400-e29b-41d4-a716-44665544000"
#inst "2020-01-01T00:59:60"
#inst "2020-01-01T00:00:00.5+05:30"
#inst "2020-01-01T00:00:00-08:00"
^:a a
^ {:a 1} [a]
^"x" y
#^:a c
#'1
#()
#(%)
#(%1 %3)
#(%2 %&)
#(%& %&)
#(%&)
#(%1.5)
#(% %1)
#(%1 %)
%&
#(#_%3 %1)
#(do #?(:kiln %2))
`#()
`(a#)
`[a# b# a#]
`~a
`(~a)
`(~@a)
`{~a ~b}
`#{~a}
`{a ~@b}
`(a (b (c ~d)))
`(quote a)
`var
`fn*
`(recur)
`.foo
`foo.
`.
`..
`Foo/bar
`String/bar
`java.lang.String
`Integer/MAX_VALUE
`Exception
`(throw (Exception. "x"))
`(catch Exception e)
`clojure.core/foo
`clojure.string/x
`nosuch.ns/x
`a.b/c
`:a
`::a
`[]
`{}
`#{}
`()
`nil
`1N
`1/2
`\a
`##Inf
`#"x"
`#inst "2020"
`^:x ()
`^:x []
`^{:a ~b} c
##Inf
##NaN
##-Inf
## Inf
#_#_#_ 1 2 3 4
(1 #_ 2)
[#_ #_ 1 2]
{:a #_ 1 2}
{#_ :a}
