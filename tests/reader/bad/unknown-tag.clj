"ok" #foo 1
