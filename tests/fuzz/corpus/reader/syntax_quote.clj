; Syntax-quote expands exactly as the JVM's LispReader does.
`a
`(a b c)
`(a ~b ~@c)
`[a ~b ~@c]
`{:a ~b}
`#{a}
`()
`nil
`true
`false
`1
`1.5
`"s"
`:k
`::k
`\c
`x#
`(x# x# y#)
`[(a# a#) {a# a#}]
`(let [x# 1] x#)
`(fn [& args#] args#)
`(if a b c)
`(do (def x 1) (quote y) (var z) (recur) (throw e) (try a (catch E e) (finally b)))
`(let* [a 1] (loop* [] (fn* [] (letfn* [] (case* x)))))
`(new X)
`(set! x 1)
`(. a b)
`(map inc [1 2 3])
`(clojure.core/map inc)
`(clojure.string/join ", " xs)
`(some.ns/f x)
`String
`(String/valueOf 1)
`(Math/abs -1)
`(String. "x")
`(Foo. 1)
`(.toString x)
`java.util.Date
`(java.lang.String/valueOf 1)
`a.b.c
`(a ~(inc 1) ~@(map inc [1 2]))
``a
``(a ~b)
`(a `(b ~c ~~d))
`(defmacro m [x] `(inc ~x))
`^:foo a
`^{:tag String} b
`[^:private c]
`^:meta [1 2]
`(f #(inc %))
`#(+ %1 %2)
`~x
`^:foo (a b)
  `(x ^{:k 1} (y ~z))
`(~@a)
`(list 'a ~'b)
`'a
`@a
`#'a
`(a . b)
`(when-let [x 1] x)
`(-> a b c)
`{:a [1 2] :b #{3}}
`(a {:x ~y})
`#"regex"
`(println "hello" \c 1.5 1/2 2N)
