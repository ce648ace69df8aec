# Attributes become strings; a set without outPath cannot.
(derivation { name = "c"; system = "s"; builder = "/b"; bad = { x = 1; }; }).outPath
