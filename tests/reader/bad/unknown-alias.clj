::nope/x
