; Quote, deref, var, metadata, anonymous fns, regexes, tagged literals,
; namespaced maps and reader conditionals.
'a
'(a b)
''a
'[a 'b]
@a
@@a
#'a
#'clojure.core/map
^:private x
^String y
^"String" y
^{:a 1 :b 2} [1 2]
^:a ^:b z
^{:tag int} (f x)
#^:deprecated old
(defn ^:private f [^long x] x)
~a
~@a
(~a ~@b)
#(inc %)
#(+ % %)
#(+ %1 %2)
#(vector %2)
#(apply + %&)
#(list %1 %&)
#()
#(do)
#(% %1)
#(fn [x] (+ x %))
#"a+b"
#"\d+\.\d*"
#"\\"
#"[\"]"
#"(?i)hello"
#"é+"
#inst "2020-01-02T03:04:05.678-00:00"
#inst "2020-01-02T03:04:05.678+01:00"
#inst "1970"
#inst "2000-02-29"
#inst "2021-06-15T12:30Z"
#inst "1969-12-31T23:59:59.999Z"
#inst "2024-12-31T23:59:59.123456789Z"
#uuid "550e8400-e29b-41d4-a716-446655440000"
#uuid "550E8400-E29B-41D4-A716-446655440000"
#uuid "00000000-0000-0000-0000-000000000000"
#:a{:b 1 :c 2}
#:a{:b 1 :_/c 2 d 3 x/y 4 "s" 5}
#:a {:b 1}
#::{:b 1}
#:: {:b 1}
#:a.b{:c [1 2]}
#?(:kiln 1 :default 2)
#?(:default 2 :kiln 1)
#?(:cljs 1 :default 2)
#?(:cljs 1)
(a #?(:cljs b) c)
[#?@(:kiln [1 2 3])]
(x #?@(:kiln [y z]) w)
(x #?@(:kiln (y z)) w)
[#?@(:cljs [1 2 3])]
#?(:kiln nil :default 1)
#?(:cljs #unknown-tag 1 :kiln 3)
#?(:cljs #unknown/tag [1] :default 4)
#?(:kiln [1 2]
   :default [3 4])
#?(:kiln #?(:kiln :nested :default :no) :default :outer)
{:a #?(:kiln 1) :b 2}
##Inf
