[\a
 \foo]
